// The README's lesson pictures (docs/lessons/LESSON.svg) must show what the lesson builds: a
// lesson's e2e test calls this right after its first `up`, and it fails when the picture drawn
// from the stack's state differs from the committed one (then: npm run pictures LESSON).
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { lessonPicture, picturePath } from "../../graph/pictures";
import type { TestStack } from "./harness";

export async function expectPictureMatches(stack: TestStack, lesson: string, prefix: string): Promise<void> {
    const exported: unknown = JSON.parse((await stack.must(["stack", "export"])).stdout);
    const drawn = (await lessonPicture(exported, lesson, prefix)).split("\n");
    let committed: string[] = [];
    try {
        committed = readFileSync(picturePath(lesson), "utf8").split("\n");
    } catch {
        // Missing: the comparison below says so.
    }
    const at = drawn.findIndex((l, i) => l !== committed[i]);
    const first = at === -1 && drawn.length !== committed.length ? Math.min(drawn.length, committed.length) : at;
    expect(first === -1 ? undefined : `${picturePath(lesson)} is not what lesson ${lesson} builds (run npm run pictures ${lesson}); first difference at line ${first + 1}:\n  committed: ${committed[first] ?? "(nothing)"}\n  drawn now: ${drawn[first] ?? "(nothing)"}`).toBeUndefined();
}
