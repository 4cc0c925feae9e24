// The UI's number formatting lives in src-shared so the tray and the CLI say the same.
export * from '../../src-shared/format.js';
