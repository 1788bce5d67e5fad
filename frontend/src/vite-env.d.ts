/// <reference types="svelte" />
/// <reference types="vite/client" />

/** True in the fixture build used by the e2e screenshots (vite build --mode fixtures). */
declare const __TAFEL_FIXTURES__: boolean;
