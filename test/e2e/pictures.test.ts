// The picture of a stack through the real CLI: the hello-namespace lesson (the other lessons
// check theirs in their own e2e files) against its committed picture; the package's command
// `pulumi-netns graph` on a running stack (SVG and PNG); and the bad input it must refuse in one
// line, writing nothing: a stack that does not exist, a stack that holds nothing (destroyed).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { namespaces } from "../support/host";
import { filePrefix } from "../support/prefix";
import { fileLifecycle } from "../support/lifecycle";
import { env, REPO, TestStack } from "./harness";
import { expectPictureMatches } from "./pictures";

const prefix = filePrefix("pic");
const out = mkdtempSync(join(tmpdir(), "pulumi-netns-graph-"));
// Leak check, then clean-up (test/support/lifecycle.ts); the pictures written go too.
const { stacks } = fileLifecycle(prefix, { cleanups: [() => rmSync(out, { recursive: true, force: true })] });
let stack: TestStack | undefined;

async function graph(args: string[]) {
    const r = await execa("node", [join(REPO, "dist/cli/main.js"), "graph", ...args], { env: env(), reject: false, cwd: out });
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe("the picture of a stack", () => {
    it("hello-namespace matches its picture; pulumi-netns graph draws a running stack and refuses what it cannot draw", async () => {
        stack = await TestStack.create(`${prefix}hello`, REPO, { lesson: "hello-namespace", prefix });
        stacks.push(stack);
        await stack.up();
        await expectPictureMatches(stack, "hello-namespace", prefix);

        // The package's command on the running stack: the SVG and the PNG, their paths printed.
        const ok = await graph(["--stack", stack.name, "--cwd", REPO, "--png", "-o", "hello"]);
        expect(ok.stderr).toBe("");
        expect(ok.exitCode).toBe(0);
        expect(ok.stdout.trim().split("\n")).toEqual([join(out, "hello.svg"), join(out, "hello.png")]);
        // Graphviz writes "-" as "&#45;" in SVG text; the running stack's names keep their prefix.
        expect(readFileSync(join(out, "hello.svg"), "utf8").replaceAll("&#45;", "-")).toContain(`>${prefix}helloworld</text>`);
        expect(readFileSync(join(out, "hello.png")).subarray(1, 4).toString()).toBe("PNG");

        // No such stack: one line, what to run, nothing written.
        const missing = await graph(["--stack", `${prefix}nosuch`, "--cwd", REPO, "--png"]);
        expect(missing.exitCode).toBe(1);
        expect(missing.stderr.trim()).toBe(`pulumi-netns graph: no stack "${prefix}nosuch" in ${REPO}: bring it up first (pulumi up --stack ${prefix}nosuch --cwd ${REPO}); pulumi stack ls lists the stacks`);
        expect(existsSync(join(out, `${prefix}nosuch.svg`))).toBe(false);

        // A stack that holds nothing (destroyed, or never brought up): the same.
        await stack.destroy();
        expect((await namespaces()).filter((n) => n.startsWith(prefix))).toEqual([]);
        const empty = await graph(["--stack", stack.name, "--cwd", REPO, "-o", "empty.svg"]);
        expect(empty.exitCode).toBe(1);
        expect(empty.stderr.trim()).toBe(`pulumi-netns graph: the stack holds no resources: run pulumi up --stack ${stack.name} --cwd ${REPO}`);
        expect(existsSync(join(out, "empty.svg"))).toBe(false);
    });
});
