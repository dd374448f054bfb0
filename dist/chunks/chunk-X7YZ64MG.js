import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
var r="journal";function t(n){if(n)return JSON.parse(n)}export{r as a,t as b};
