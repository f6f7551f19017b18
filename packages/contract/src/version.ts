/**
 * Drydock's release version: the root package.json's `version`, written here once so every part
 * (API, CLI reports, console) says the same (a test holds the two equal).
 */
export const VERSION = '0.1.0';
