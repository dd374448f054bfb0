import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a as t}from"./chunk-UIPSSKQJ.js";import"./chunk-5JOSKXLT.js";import"./chunk-PJ624PSZ.js";import"./chunk-NEARUV3X.js";import"./chunk-XTMHMHBY.js";import{e as o}from"./chunk-NDJNVI3F.js";var e=o(t(),1);var export_CloudWatchClient=e.CloudWatchClient;export{export_CloudWatchClient as CloudWatchClient};
