// Names for one test file: the run's prefix plus a short tag, so files never collide.
import { inject } from "vitest";

export function filePrefix(tag: string): string {
    return `${inject("runPrefix")}${tag}-`;
}

export function hostLinksBefore(): string[] {
    return inject("hostLinksBefore");
}
