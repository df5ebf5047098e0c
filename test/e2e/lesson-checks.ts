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

/** A lesson step as the lesson e2e files drive it: the default step, the other value, the exact plans both ways. */
export interface StepCase {
    lesson: string;
    /** Short tag: each lesson gets its own namespaces (`${prefix}${tag}-ns1`), so a failed one cannot block the next. */
    tag: string;
    /** The config key of the step, and its non-default value. */
    key: string;
    other: string;
    /** The plan from the default step to the other one, and back, as "op name" sorted. */
    there: string[];
    back: string[];
    /** The checks of the default step that must fail once the other step is applied (titles start with these, in check order). */
    flips: string[];
}
