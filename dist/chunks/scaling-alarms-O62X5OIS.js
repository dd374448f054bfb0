import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a,b,c,d}from"./chunk-I54IVUBO.js";import"./chunk-UIPSSKQJ.js";import"./chunk-5JOSKXLT.js";import"./chunk-PJ624PSZ.js";import"./chunk-NEARUV3X.js";import"./chunk-XTMHMHBY.js";import"./chunk-NDJNVI3F.js";export{b as alarmInput,a as alarmsNaming,c as movedAlarm,d as writeAlarm};
