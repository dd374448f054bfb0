import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{b as u,d as p}from"./chunk-BDAFC6BN.js";import{h as a,i as l,j as c}from"./chunk-5MGKE4J7.js";var i=class{phases=[];markFailed(n){for(let e of this.phases)e.name===n&&(e.ok=!1)}async run(n,e){let t=Date.now(),s={name:n,startedAt:t,durationMs:0,ok:!1};this.phases.push(s);try{let o=await c(n,e);return s.ok=!0,o}finally{s.durationMs=Date.now()-t}}};var y={undoNow:"Restoring production traffic to the side that served it before the release."};async function R(r,n,e){let t=new p(r),s=new i;if(n==="exit")return e({journal:t,phases:s,signal:new AbortController().signal});let o=u(g=>{a(`${g.message} ${n.undoNow}`),t.undo(l)});try{return await e({journal:t,phases:s,signal:o.signal})}finally{o.dispose()}}function f(r){return r.replace(/\|/g,"\\|").replace(/\n/g," ")}function C(r,n){let e=t=>`| ${t.map(f).join(" | ")} |`;return[e(r),e(r.map(()=>"---")),...n.map(e)].join(`
`)}function P(r,n){return`<details><summary>${r}</summary>

${n}

</details>`}function T(r,n){let e=n.includes("```")?"````":"```";return`${e}${r}
${n.trimEnd()}
${e}`}export{y as a,R as b,f as c,C as d,P as e,T as f};
