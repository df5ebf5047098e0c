// Types of scripts/test-summary.cjs, for the unit tests (test/unit/test-summary.test.ts).
export interface SummaryInput {
    report: unknown;
    reportError?: string;
    teardown: unknown;
    layers: string[];
    filesGiven: boolean;
    typecheckFailed: boolean;
    vitestExit: number;
    root: string;
}
export interface Summary {
    lines: string[];
    passed: number;
    failed: number;
    skipped: number;
    ok: boolean;
}
export declare function summarize(input: SummaryInput): Summary;
export declare function layerOf(file: string, root: string): string;
export declare const LAYERS: string[];
