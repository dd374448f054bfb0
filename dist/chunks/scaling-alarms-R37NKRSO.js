import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a,b,c,d}from"./chunk-E7KB4NZL.js";import"./chunk-LSXOVAUS.js";import"./chunk-2YO46RBY.js";import"./chunk-35MK35AA.js";import"./chunk-NEARUV3X.js";import"./chunk-XTMHMHBY.js";import"./chunk-NDJNVI3F.js";export{b as alarmInput,a as alarmsNaming,c as movedAlarm,d as writeAlarm};
