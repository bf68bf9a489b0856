import { describe, expect, it } from "vitest";
import { errorDetails, parseRetryAfter, SendOutcomeUnknown, SfmcError } from "./errors.ts";

const DOC =
  "https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/error-handling.htm";
const none = new Headers();

describe("errorDetails reads the three SFMC error bodies", () => {
  it("OAuth (/v2/token): code is `error`, the message its description", () => {
    const body = {
      error: "invalid_client",
      error_description:
        "Invalid client ID. Use the client ID in Marketing Cloud Installed Packages.",
      error_uri: "https://developer.salesforce.com/docs",
    };
    expect(errorDetails(401, none, body, JSON.stringify(body), 0)).toEqual({
      httpStatus: 401,
      code: "invalid_client",
      messages: [body.error_description],
      retryAfterSec: null,
    });
  });

  it("REST: errorcode, message, additional errors, Retry-After from the header or the body", () => {
    const limited = {
      message: "Rate limit exceeded",
      errorcode: 50100,
      retryAfter: 5,
      documentation: DOC,
    };
    expect(errorDetails(429, new Headers({ "retry-after": "7" }), limited, "", 0)).toMatchObject({
      code: 50100,
      messages: ["Rate limit exceeded"],
      retryAfterSec: 7,
    });
    expect(errorDetails(429, none, limited, "", 0).retryAfterSec).toBe(5);
    const aggregate = {
      message: "Multiple errors",
      errorcode: 10006,
      additionalErrors: [{ message: "name: Required", errorcode: 10002 }, "plain"],
    };
    expect(errorDetails(400, none, aggregate, "", 0).messages).toEqual([
      "Multiple errors",
      "name: Required",
      "plain",
    ]);
    expect(
      errorDetails(
        401,
        none,
        { documentation: DOC, errorcode: 0, message: "Not Authorized" },
        "",
        0,
      ),
    ).toMatchObject({ code: 0, messages: ["Not Authorized"] });
    expect(
      errorDetails(500, none, { message: "Internal Server Error", documentation: DOC }, "", 0),
    ).toMatchObject({ code: null, messages: ["Internal Server Error"] });
  });

  it("MobilePush validation: every text of `errors`, no code", () => {
    const body = {
      errors: ["Message id x is not valid.", "The count of SubscriberKeys cannot be zero."],
    };
    expect(errorDetails(400, none, body, "", 0)).toEqual({
      httpStatus: 400,
      code: null,
      messages: body.errors,
      retryAfterSec: null,
    });
  });

  it("anything else: a short piece of the text, or the status", () => {
    const html = `<html><body>${"Bad gateway ".repeat(40)}</body></html>`;
    const details = errorDetails(502, none, html, html, 0);
    expect(details.code).toBeNull();
    expect(details.messages[0]?.length).toBe(200);
    expect(errorDetails(502, none, undefined, "", 0).messages).toEqual(["HTTP 502 without a body"]);
  });
});

describe("Retry-After", () => {
  it("reads seconds and HTTP dates", () => {
    const now = Date.parse("2026-06-01T08:00:00Z");
    expect(parseRetryAfter("12", now)).toBe(12);
    expect(parseRetryAfter("Mon, 01 Jun 2026 08:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter("Mon, 01 Jun 2026 07:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe("error messages", () => {
  it("say which call failed and what SFMC said", () => {
    const error = new SfmcError(
      { httpStatus: 400, code: null, messages: ["a", "b"], retryAfterSec: null },
      { account: "main", mid: "100", method: "POST", path: "/push/v1/messageContact/X/send" },
    );
    expect(error.message).toBe(
      "SFMC answered 400 to POST /push/v1/messageContact/X/send (account main, business unit 100): a; b",
    );
  });

  it("SendOutcomeUnknown carries the batch's keys, not in its message", () => {
    const error = new SendOutcomeUnknown(
      { account: "main", mid: "100", messageId: "M", contactKeys: ["K1", "K2"] },
      "no answer before the timeout",
    );
    expect(error.contactKeys).toEqual(["K1", "K2"]);
    expect(error.message).toContain("the send of 2 contact keys to message M");
    expect(error.message).not.toContain("K1");
  });
});
