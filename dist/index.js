import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{j as a,k as e}from"./chunks/chunk-ACFZATPK.js";import"./chunks/chunk-NDJNVI3F.js";var o="isPost";if(e(o)){let{cleanup:t}=await import("./chunks/cleanup-S7ZBAFCE.js");await t()}else{a(o,"true");let{run:t}=await import("./chunks/main-QCYPTSPV.js");await t()}
