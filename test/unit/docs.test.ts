// The docs hold together: README.md is the front page (short), and the reference, the operations
// guide and the contributor guide live in docs/, each opening with a table of contents. Every
// relative link of README.md and docs/*.md names a file that exists, and every #anchor a heading
// of its page, by GitHub's rules (lower case, punctuation dropped, spaces to "-", "-1" for a
// repeated heading), so that moving a section cannot leave a link pointing at nothing.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "../..");
const pages = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** The lines that are not code: an indented block (4 spaces or a tab, after a blank line) or a fenced one. */
function prose(text: string): { line: string; n: number }[] {
    const out: { line: string; n: number }[] = [];
    let fenced = false;
    let code = false;
    let blank = true;
    text.split("\n").forEach((line, i) => {
        if (/^\s*(```|~~~)/.test(line)) { fenced = !fenced; blank = false; return; }
        if (fenced) return;
        if (line.trim() === "") { blank = true; code = false; return; }
        if (/^( {4}|\t)/.test(line) && (blank || code)) { code = true; blank = false; return; }
        code = false;
        blank = false;
        out.push({ line, n: i + 1 });
    });
    return out;
}

/** GitHub's anchor for a heading's text (github-slugger): its rendered text, lower case, punctuation dropped, spaces to "-". */
function slug(heading: string): string {
    const rendered = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*]/g, "");
    return rendered.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

/** The anchors of a page's headings, a repeated one with "-1", "-2", ... as GitHub numbers them. */
function anchors(text: string): Set<string> {
    const seen = new Map<string, number>();
    const out = new Set<string>();
    for (const { line } of prose(text)) {
        const m = /^#{1,6} (.*)$/.exec(line);
        if (!m) continue;
        const s = slug(m[1]!.trim());
        const n = seen.get(s) ?? 0;
        seen.set(s, n + 1);
        out.add(n === 0 ? s : `${s}-${n}`);
    }
    return out;
}

/** Every relative link target of a page that does not resolve, as "page:line: target (why)". */
function brokenLinks(page: string, text: string, read: (path: string) => string | undefined): string[] {
    const broken: string[] = [];
    for (const { line, n } of prose(text)) {
        for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
            const target = m[1]!;
            if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;   // https:, mailto: ...
            const [path, anchor] = target.split("#", 2) as [string, string | undefined];
            const file = path === "" ? page : relative(root, resolve(root, dirname(page), path));
            const content = read(file);
            if (content === undefined) { broken.push(`${page}:${n}: ${target} (no file ${file})`); continue; }
            if (anchor !== undefined && file.endsWith(".md") && !anchors(content).has(anchor)) {
                broken.push(`${page}:${n}: ${target} (no heading with the anchor #${anchor} in ${file})`);
            }
        }
    }
    return broken;
}

const readRepo = (file: string): string | undefined => {
    const path = join(root, file);
    if (!existsSync(path)) return undefined;
    return file.endsWith(".md") ? readFileSync(path, "utf8") : "";
};

describe("the docs' links", () => {
    it.each(pages)("%s: every relative link names a file that exists, and every #anchor a heading of its page", (page) => {
        expect(brokenLinks(page, readFileSync(join(root, page), "utf8"), readRepo)).toEqual([]);
    });

    it("the check finds a missing file, a missing heading and a missing anchor of its own page", () => {
        const docs: Record<string, string> = {
            "docs/a.md": "# A\n\n## Plain `pulumi`\n\nsee [x](#plain-pulumi), [y](b.md#the-vpc-lessons-design), [z](#nothing)\n\n    [not a link](#in-code)\n",
            "docs/b.md": "# B\n\n## The VPC lesson's design\n\nsee [back](a.md#a), [gone](c.md), [wrong](a.md#plain-pulumi-1)\n",
        };
        const read = (file: string) => docs[file];
        expect(brokenLinks("docs/a.md", docs["docs/a.md"]!, read)).toEqual(["docs/a.md:5: #nothing (no heading with the anchor #nothing in docs/a.md)"]);
        expect(brokenLinks("docs/b.md", docs["docs/b.md"]!, read)).toEqual([
            "docs/b.md:5: c.md (no file docs/c.md)",
            "docs/b.md:5: a.md#plain-pulumi-1 (no heading with the anchor #plain-pulumi-1 in docs/a.md)",
        ]);
    });

    it.each([
        ["Plain `pulumi`", "plain-pulumi"],
        ["The VPC lesson's design", "the-vpc-lessons-design"],
        ["Inline addresses, routes and sysctls", "inline-addresses-routes-and-sysctls"],
        ["Set-up", "set-up"],
        ["What needs root and why", "what-needs-root-and-why"],
    ])("the anchor of %j is %s, as GitHub makes it", (heading, anchor) => {
        expect(slug(heading)).toBe(anchor);
    });
});

describe("the front page and the guides", () => {
    it("README.md stays a front page: under 200 lines", () => {
        expect(readFileSync(join(root, "README.md"), "utf8").split("\n").length).toBeLessThan(200);
    });

    it.each(["docs/reference.md", "docs/operations.md", "docs/contributing.md"])("%s opens with a table of contents that lists each of its sections", (page) => {
        const text = readFileSync(join(root, page), "utf8");
        const sections = prose(text).map(({ line }) => /^## (.*)$/.exec(line)?.[1]).filter((h): h is string => h !== undefined);
        expect(sections.length).toBeGreaterThan(0);
        const top = text.slice(0, text.indexOf("\n## "));
        for (const h of sections) expect(top, `${page}: the contents at its top lack "${h}"`).toContain(`](#${slug(h)})`);
    });
});
