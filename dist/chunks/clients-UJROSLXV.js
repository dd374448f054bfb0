import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a,b,c,d,e}from"./chunk-KJE23W6Y.js";import"./chunk-TRGCKO37.js";import"./chunk-PJ624PSZ.js";import"./chunk-XTMHMHBY.js";import"./chunk-NDJNVI3F.js";export{d as ALL_CLIENTS,a as MAX_ATTEMPTS,b as backoffMs,e as createClients,c as resolveRegion};
