import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a as o}from"./chunk-A7LFYM6H.js";import"./chunk-2YO46RBY.js";import"./chunk-35MK35AA.js";import"./chunk-NEARUV3X.js";import"./chunk-XTMHMHBY.js";import{e}from"./chunk-NDJNVI3F.js";var r=e(o(),1);var export_ECRClient=r.ECRClient;export{export_ECRClient as ECRClient};
