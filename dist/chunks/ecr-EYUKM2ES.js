import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a as o}from"./chunk-7OHZ7GG6.js";import"./chunk-5JOSKXLT.js";import"./chunk-PJ624PSZ.js";import"./chunk-NEARUV3X.js";import"./chunk-XTMHMHBY.js";import{e}from"./chunk-NDJNVI3F.js";var r=e(o(),1);var export_ECRClient=r.ECRClient;export{export_ECRClient as ECRClient};
