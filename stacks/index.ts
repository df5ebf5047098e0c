// The program of every lesson stack: the stack's name picks the lesson (`pulumi up -s router`),
// unless config `lesson` names it (the tests run lessons in stacks with a unique name).
import * as pulumi from "@pulumi/pulumi";
import { lessons } from "./lessons";

const config = new pulumi.Config();
const name = config.get("lesson") ?? pulumi.getStack();
const lesson = lessons[name];
if (!lesson) {
    throw new Error(`no lesson named "${name}"; the stack's name (or config 'lesson') must be one of: ${Object.keys(lessons).join(", ")}`);
}
module.exports = lesson.define({ prefix: config.get("prefix") ?? "", config });
