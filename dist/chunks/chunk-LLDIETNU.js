import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{d as r}from"./chunk-EEX2A6QN.js";function o(e){return e.includes(":listener-rule/")?"rule":"listener"}function s(e){return Object.entries(e).map(([t,i])=>`${r(t)}=${i}`).join(", ")}export{o as a,s as b};
