import type { Command } from "commander";
import { registerModelRun } from "./model-run.ts";

/** `nightjar model …`: the customer model. */
export function registerModel(program: Command): Command {
  const model = program
    .command("model")
    .description("the customer model: lifecycle stages, value, churn risk and micro-segments");
  registerModelRun(model);
  return model;
}
