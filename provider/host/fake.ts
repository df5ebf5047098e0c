// A host for unit tests: no process, no root. It answers each command from a script (rules
// matched in order by argv prefix or by a pattern over the joined command line), records every
// command it was given, and serves files from a table. A command no rule answers throws, so a
// test sees at once which command it did not expect.
import type { FileId, Host, Ran } from "./host";

export type Answer = Partial<Ran> | ((argv: readonly string[], input: string | undefined) => Partial<Ran>);

export interface Rule {
    /** The argv starts with these words, or the command line (words joined by spaces) matches this pattern. */
    match: readonly string[] | RegExp;
    answer: Answer;
    /** How many times the rule answers before it is used up (default: always). */
    times?: number;
}

export class UnscriptedCommand extends Error {
    constructor(readonly argv: readonly string[], readonly input: string | undefined) {
        super(`the fake host has no answer for: ${argv.join(" ")}${input === undefined ? "" : `\n  input: ${input.trim()}`}`);
        this.name = "UnscriptedCommand";
    }
}

export class FakeHost implements Host {
    readonly calls: { argv: string[]; input?: string | undefined }[] = [];
    private readonly rules: (Rule & { used: number })[] = [];
    /** Paths with their text ("" for a file whose content does not matter) and identity. */
    readonly files = new Map<string, { text: string; id: FileId }>();

    constructor(readonly key = "fake", readonly label = "the fake host") {}

    /** Adds rules; earlier rules win. */
    on(match: Rule["match"], answer: Answer, times?: number): this {
        this.rules.push({ match, answer, ...(times === undefined ? {} : { times }), used: 0 });
        return this;
    }

    /** A file of the kernel's: `id` "DEV:INO" (a namespace file's device differs from its folder's). */
    file(path: string, text = "", id: FileId = `9:${this.files.size + 100}`): this {
        this.files.set(path, { text, id });
        return this;
    }

    /** A named namespace: /run/netns/NAME on nsfs (a device other than the folder's). */
    namespace(name: string, id: FileId = `4:${4026531000 + this.files.size}`): this {
        if (!this.files.has("/run/netns")) this.file("/run/netns", "", "25:1");
        return this.file(`/run/netns/${name}`, "", id);
    }

    removeNamespace(name: string): this {
        this.files.delete(`/run/netns/${name}`);
        return this;
    }

    shown(argv: readonly string[]): string[] {
        return [...argv];
    }

    /** The command lines run so far, words joined by spaces. */
    get lines(): string[] {
        return this.calls.map((c) => c.argv.join(" "));
    }

    async run(argv: readonly string[], input?: string): Promise<Ran> {
        this.calls.push({ argv: [...argv], ...(input === undefined ? {} : { input }) });
        const line = argv.join(" ");
        const rule = this.rules.find((r) => (r.times === undefined || r.used < r.times)
            && (r.match instanceof RegExp ? r.match.test(line) : r.match.every((w, i) => argv[i] === w)));
        if (!rule) throw new UnscriptedCommand(argv, input);
        rule.used++;
        const a = typeof rule.answer === "function" ? rule.answer(argv, input) : rule.answer;
        return { stdout: "", stderr: "", exitCode: 0, ...a };
    }

    async fileId(path: string): Promise<FileId | undefined> {
        return this.files.get(path)?.id;
    }

    async readFile(path: string): Promise<string | undefined> {
        return this.files.get(path)?.text;
    }

    async list(dir: string): Promise<string[]> {
        const head = dir.endsWith("/") ? dir : `${dir}/`;
        return [...this.files.keys()].filter((p) => p.startsWith(head) && !p.slice(head.length).includes("/")).map((p) => p.slice(head.length));
    }
}
