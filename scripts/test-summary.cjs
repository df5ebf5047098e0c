// The end of `npm test` (scripts/test.sh): reads Vitest's JSON report and the global teardown's
// verdict, prints one line per layer and every failure that is not a failed test, then the
// closing line, alone and last, that CI reads:
//
//     N passed, N failed[, N skipped]
//
// "failed" counts every failure, not only failed tests: files that failed outside their tests
// (a file that did not load, a hook that threw: the leak checks live in afterAll), a failed or
// unfinished global teardown (the run's final leak check), a selected layer without a single
// passed test, a failed type check, a missing report, and a non-zero exit of Vitest that its
// report does not explain. Plain CommonJS, no dependency: it runs on any Node.js the set-up
// accepts. Types for the unit tests: test-summary.d.cts.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const LAYERS = ["unit", "integration", "e2e", "reliability", "proof"];

/** The layer of a test file: the directory under test/ ("other" when it is none of LAYERS). */
function layerOf(file, root) {
    const rel = path.relative(root, file).split(path.sep);
    return rel[0] === "test" && LAYERS.includes(rel[1]) ? rel[1] : "other";
}

/** A message as lines for the summary: the first 20, each indented under the first. */
function excerpt(s) {
    const lines = String(s ?? "").split("\n").filter((l) => l.trim() !== "");
    const shown = lines.slice(0, 20).join("\n    ");
    return lines.length > 20 ? `${shown}\n    ... (${lines.length - 20} more lines above, in Vitest's output)` : shown;
}

/**
 * @param {object} input
 * @param {any} input.report            the parsed JSON report, or undefined when missing or unreadable
 * @param {string} [input.reportError]  why the report could not be read
 * @param {any} input.teardown          the parsed teardown verdict, or undefined when missing
 * @param {string[]} input.layers       the selected layers
 * @param {boolean} input.filesGiven    files or filters were given on the command line (no per-layer requirement)
 * @param {boolean} input.typecheckFailed
 * @param {number} input.vitestExit
 * @param {string} input.root           the repository (test file paths are reported relative to it)
 * @returns {{ lines: string[], passed: number, failed: number, skipped: number, ok: boolean }}
 */
function summarize(input) {
    const lines = [];
    const problems = [];
    let passed = 0, failedTests = 0, skipped = 0;
    const r = input.report;
    if (!r || !Array.isArray(r.testResults)) {
        problems.push(`the Vitest JSON report is missing or unreadable${input.reportError ? ` (${input.reportError})` : ""}: Vitest did not finish; see its output above`);
    } else {
        passed = r.numPassedTests ?? 0;
        failedTests = r.numFailedTests ?? 0;
        skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
        const per = {};
        for (const l of [...input.layers, ...r.testResults.map((f) => layerOf(f.name, input.root))]) per[l] ??= { passed: 0, failed: 0, skipped: 0, files: 0, failedFiles: 0 };
        let suiteFailures = 0;
        for (const f of r.testResults) {
            const l = per[layerOf(f.name, input.root)];
            const tests = f.assertionResults ?? [];
            l.files++;
            for (const t of tests) {
                if (t.status === "passed") l.passed++;
                else if (t.status === "failed") l.failed++;
                else l.skipped++;
            }
            // A file failed outside its tests: it did not load, did not finish, or a hook threw.
            const outside = f.status === "failed" && (f.message !== "" && f.message !== undefined || !tests.some((t) => t.status === "failed"));
            if (outside) {
                l.failedFiles++;
                suiteFailures++;
                problems.push(`file failed outside its tests (did not load, did not finish, or a hook threw: the leak checks live in afterAll): ${path.relative(input.root, f.name)}: ${excerpt(f.message) || "no message: see the output above"}`);
            }
        }
        if (suiteFailures === 0 && failedTests === 0 && (r.numFailedTestSuites ?? 0) > 0) {
            problems.push(`Vitest counted ${r.numFailedTestSuites} failed suite(s) with no failed test: see the output above`);
        }
        for (const [name, l] of Object.entries(per)) {
            lines.push(`layer ${name}: ${l.passed} passed, ${l.failed} failed${l.failedFiles ? `, ${l.failedFiles} file(s) failed outside their tests` : ""}${l.skipped ? `, ${l.skipped} skipped` : ""} (${l.files} files)`);
        }
        if (!input.filesGiven) {
            for (const name of input.layers) {
                if (per[name].passed === 0) problems.push(`layer ${name} was selected but no test of it passed: every selected layer must contribute at least one passed test`);
            }
        }
    }
    const t = input.teardown;
    const unitOnly = input.layers.length === 1 && input.layers[0] === "unit";
    if (!t) problems.push("global teardown: no verdict was written (the global set-up did not run, or could not write PULUMI_NETNS_TEST_TEARDOWN_REPORT)");
    else if (t.state === "started") problems.push("global teardown: it did not finish (the final leak check never ran to its end)");
    else if (t.state === "failed") problems.push(`global teardown: ${excerpt(t.message)}`);
    else if (t.state === "skipped" && !unitOnly) problems.push(`global teardown: skipped (${t.message}) although layers other than unit were selected`);
    if (input.typecheckFailed) problems.push("type check failed (tsc -p tsconfig.test.json, above)");
    const counted = failedTests + problems.length;
    if (input.vitestExit !== 0 && counted === 0) problems.push(`Vitest exited ${input.vitestExit} although its report shows no failure (an unhandled error? see the output above)`);
    for (const p of problems) lines.push(`FAILED: ${p}`);
    const failed = failedTests + problems.length;
    lines.push(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
    return { lines, passed, failed, skipped, ok: failed === 0 };
}

function readJson(file) {
    try {
        return { value: JSON.parse(fs.readFileSync(file, "utf8")) };
    } catch (e) {
        return { error: `${file}: ${e.code === "ENOENT" ? "no such file" : e.message}` };
    }
}

// node scripts/test-summary.cjs REPORT TEARDOWN LAYERS FILES_GIVEN TYPECHECK_EXIT VITEST_EXIT
if (require.main === module) {
    const [reportFile, teardownFile, layers, filesGiven, typecheckExit, vitestExit] = process.argv.slice(2);
    const report = readJson(reportFile);
    const s = summarize({
        report: report.value,
        reportError: report.error,
        teardown: readJson(teardownFile).value,
        layers: layers.split(",").filter(Boolean),
        filesGiven: filesGiven === "1",
        typecheckFailed: typecheckExit !== "0",
        vitestExit: Number(vitestExit),
        root: path.resolve(__dirname, ".."),
    });
    for (const l of s.lines) console.log(l);
    process.exit(s.ok ? 0 : 1);
}

module.exports = { summarize, layerOf, LAYERS };
