import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a as o}from"./chunk-5SJSLEJ3.js";import"./chunk-5JOSKXLT.js";import"./chunk-PJ624PSZ.js";import"./chunk-NEARUV3X.js";import"./chunk-XTMHMHBY.js";import{e}from"./chunk-NDJNVI3F.js";var r=e(o(),1);var export_ECSClient=r.ECSClient;export{export_ECSClient as ECSClient};
