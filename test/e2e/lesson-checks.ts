// A lesson's own checks (the ones `npm run lab -- verify` runs), as the lesson e2e tests use them.
import { expect } from "vitest";
import { formatOutcome, runChecks } from "../../lab/checks";
import { lessons } from "../../stacks/lessons";

/** Runs the lesson's checks for a config; returns the titles that failed, and a printable report of them. */
export async function check(lesson: string, lessonPrefix: string, config: Record<string, string>) {
    const outcomes = await runChecks(lessons[lesson]!.checks(lessonPrefix, config));
    const failed = outcomes.filter((o) => !o.ok);
    return { count: outcomes.length, failed: failed.map((o) => o.check.title), report: failed.map(formatOutcome).join("\n\n") };
}

/** Every check of the lesson passes for this config (and there is at least one). */
export async function expectAllPass(lesson: string, lessonPrefix: string, config: Record<string, string>) {
    const r = await check(lesson, lessonPrefix, config);
    expect(r.count).toBeGreaterThan(0);
    expect(r.report, `checks of ${lesson} ${JSON.stringify(config)} failed:\n${r.report}`).toBe("");
}
