// `npm run pictures`: the README's picture of every lesson, docs/lessons/LESSON.svg, drawn from
// what `pulumi up` really makes. Each lesson is brought up under a prefix of its own in a
// throwaway state directory (the lab's own stacks are left alone), exported, drawn with the
// prefix taken off (the seed's names), and destroyed. A test (test/e2e/pictures.ts) draws the
// lesson it has just brought up the same way and fails when the committed picture differs.
//   npm run pictures [LESSON ...]     (default: every lesson)
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { execa } from "execa";
import { stackToSvg } from "./render";

/** The repository: this file runs compiled (dist/graph/) and, in the tests, from source (graph/). */
const ROOT = existsSync(join(__dirname, "../package.json")) ? resolve(__dirname, "..") : resolve(__dirname, "../..");
export const PICTURES_DIR = join(ROOT, "docs/lessons");

/** Where a lesson's committed picture lives. */
export function picturePath(lesson: string): string {
    return join(PICTURES_DIR, `${lesson}.svg`);
}

/** A lesson's picture from its stack's export: the prefix its namespaces were made with is taken off. */
export function lessonPicture(exported: unknown, lesson: string, prefix: string): Promise<string> {
    return stackToSvg(exported, { stripPrefix: prefix, title: `lesson ${lesson}` });
}

async function main(argv: string[]): Promise<number> {
    // Loaded here: the test that imports picturePath needs no Pulumi program.
    const { lessons } = require("../stacks/lessons") as typeof import("../stacks/lessons");
    const wanted = argv.length ? argv : Object.keys(lessons);
    const unknown = wanted.filter((l) => !lessons[l]);
    if (unknown.length) {
        console.error(`pictures: no lesson ${unknown.join(", ")} (lessons: ${Object.keys(lessons).join(", ")})`);
        return 2;
    }
    const root = ROOT;
    const state = mkdtempSync(join(tmpdir(), "pulumi-netns-pictures-"));
    const env = { PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: "lessons", PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" };
    const pulumi = (stack: string, args: string[]) => execa("pulumi", [...args, "--stack", stack, "--non-interactive", "--cwd", root], { env, reject: false, stdin: "ignore" });
    const must = async (stack: string, args: string[]) => {
        const r = await pulumi(stack, args);
        if (r.exitCode !== 0) throw new Error(`pulumi ${args.join(" ")} --stack ${stack} failed (exit ${r.exitCode})\n${String(r.stdout)}\n${String(r.stderr)}`);
        return String(r.stdout);
    };
    mkdirSync(PICTURES_DIR, { recursive: true });
    let failed = 0;
    try {
        for (const lesson of wanted) {
            // A prefix of its own per run: nothing collides with a lesson that is up in the lab.
            const prefix = `pic${randomBytes(2).toString("hex")}-`;
            const stack = `pictures-${lesson}`;
            try {
                await must(stack, ["stack", "init"]);
                await must(stack, ["config", "set", "lesson", lesson]);
                await must(stack, ["config", "set", "prefix", prefix]);
                await must(stack, ["up", "--yes", "--skip-preview"]);
                const svg = await lessonPicture(JSON.parse(await must(stack, ["stack", "export"])), lesson, prefix);
                writeFileSync(picturePath(lesson), svg);
                console.log(picturePath(lesson));
            } catch (e) {
                failed++;
                console.error(`pictures: ${lesson}: ${(e as Error).message}`);
            } finally {
                const down = await pulumi(stack, ["destroy", "--yes", "--skip-preview"]);
                if (down.exitCode !== 0) {
                    failed++;
                    console.error(`pictures: ${lesson}: destroy failed, namespaces ${prefix}* may be left: remove them with ip netns del\n${String(down.stderr)}`);
                }
                await pulumi(stack, ["stack", "rm", "--yes", "--force"]);
            }
        }
    } finally {
        rmSync(state, { recursive: true, force: true });
    }
    return failed ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => {
        console.error(`pictures: ${e.message}`);
        process.exit(1);
    });
}
