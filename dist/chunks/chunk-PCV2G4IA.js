import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
function i(e){return e.includes(":listener-rule/")?"rule":"listener"}function s(e){return Object.entries(e).map(([t,r])=>`${n(t)}=${r}`).join(", ")}function n(e){return/targetgroup\/([^/]+)\//.exec(e)?.[1]??e}export{i as a,s as b,n as c};
