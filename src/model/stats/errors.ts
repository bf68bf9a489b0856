import { NightjarError } from "../../errors.ts";

/** Data handed to the customer model cannot be used (wrong lengths, negative times, x not a count…). */
export class ModelInputError extends NightjarError {
  override name = "ModelInputError";
}
