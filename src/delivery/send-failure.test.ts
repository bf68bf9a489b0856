// How a send's failure becomes a batch state: only an answer that says SFMC did not take the send
// may lead to a re-send; everything that leaves it open is `unknown`.
import { describe, expect, it } from "vitest";
import {
  SendOutcomeUnknown,
  SfmcConfigError,
  SfmcConnectionError,
  SfmcError,
} from "../sfmc/errors.ts";
import { sendFailure } from "./send-outcome.ts";

const context = {
  account: "demo",
  mid: "100",
  method: "POST",
  path: "/push/v1/messageContact/x/send",
};

function answered(httpStatus: number, code: number | string | null = null): SfmcError {
  return new SfmcError(
    { httpStatus, code, messages: [`status ${httpStatus}`], retryAfterSec: null },
    context,
  );
}

describe("sendFailure", () => {
  it.each([
    [401, null],
    [429, 50100],
    [429, 50200],
    [503, 50300],
  ])("a %i (%s) is a retryable failure: SFMC said it did not take the send", (status, code) => {
    expect(sendFailure(answered(status, code))).toEqual({
      state: "failed",
      retryable: true,
      error: expect.stringContaining(`SFMC answered ${status}`),
    });
  });

  it.each([400, 403, 404, 409, 422])(
    "a %i is a permanent failure: sent again it is refused again",
    (status) => {
      expect(sendFailure(answered(status))).toMatchObject({ state: "failed", retryable: false });
    },
  );

  it.each([500, 502, 504, 599])(
    "a %i leaves it open whether SFMC took the send: unknown, never re-sent",
    (status) => {
      expect(sendFailure(answered(status))).toMatchObject({
        state: "unknown",
        error: expect.stringContaining(`SFMC answered ${status}`),
      });
    },
  );

  it("a refused token request (a config problem) is retryable once the config is fixed", () => {
    const error = new SfmcConfigError(
      { httpStatus: 401, code: "invalid_client", messages: ["bad secret"], retryAfterSec: null },
      context,
      "client_secret",
      "the client secret is wrong",
    );
    expect(sendFailure(error)).toMatchObject({ state: "failed", retryable: true });
  });

  it("no connection before the request was written is retryable", () => {
    const error = new SfmcConnectionError(context, 5, "connection refused");
    expect(sendFailure(error)).toEqual({
      state: "failed",
      retryable: true,
      error: expect.stringContaining("connection refused"),
    });
  });

  it("a send that may have reached SFMC is unknown, with the client's reason", () => {
    const error = new SendOutcomeUnknown(
      { account: "demo", mid: "100", messageId: "MToxMTQ6MA", contactKeys: ["C000001"] },
      "no answer before the timeout",
    );
    expect(sendFailure(error)).toEqual({ state: "unknown", error: error.message });
  });

  it("any other error is unknown: nothing says the call did not go out", () => {
    expect(sendFailure(new TypeError("boom"))).toEqual({
      state: "unknown",
      error: "the send ended in an unexpected error: boom",
    });
    expect(sendFailure("a string")).toMatchObject({
      state: "unknown",
      error: expect.stringContaining("a string"),
    });
  });
});
