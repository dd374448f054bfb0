import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{f as i}from"./chunk-RAPWU2WR.js";import{b as n}from"./chunk-2Y7PRNLP.js";import{i as r}from"./chunk-ACFZATPK.js";function u(s,e,t,o){let p=e.targets[0];return n(t,"exit",({journal:a})=>r(s,()=>i(a,t,p,{dryRun:e.dryRun,pinImageDigests:e.pinImageDigests,rendered:o[0]})))}export{u as a};
