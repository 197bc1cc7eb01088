// The reports module: see docs/reports.md. Being written; its exports are named here as they land.
export {};
