import { describe, expect, it } from "vitest";
import { joinUrl, normalizeBaseUrl, secretSource } from "./auth.ts";
import { sendBody } from "./client.ts";

describe("URLs", () => {
  it("joins a base and a path with exactly one slash", () => {
    expect(joinUrl("https://mc1.rest.marketingcloudapis.com/", "/push/v1/message")).toBe(
      "https://mc1.rest.marketingcloudapis.com/push/v1/message",
    );
    expect(joinUrl("https://mc1.rest.marketingcloudapis.com", "push/v1/message")).toBe(
      "https://mc1.rest.marketingcloudapis.com/push/v1/message",
    );
    expect(joinUrl("http://127.0.0.1:4010//", "//v2/token")).toBe("http://127.0.0.1:4010/v2/token");
    expect(joinUrl("https://proxy.example/sfmc/", "/v2/token")).toBe(
      "https://proxy.example/sfmc/v2/token",
    );
  });

  it("gives the token answer's instance URL a scheme and a trailing slash (the doc example has neither)", () => {
    expect(normalizeBaseUrl("mcXXXX.rest.marketingcloudapis.com")).toBe(
      "https://mcXXXX.rest.marketingcloudapis.com/",
    );
    expect(normalizeBaseUrl("https://mcXXXX.rest.marketingcloudapis.com/")).toBe(
      "https://mcXXXX.rest.marketingcloudapis.com/",
    );
    expect(normalizeBaseUrl("http://127.0.0.1:4010")).toBe("http://127.0.0.1:4010/");
  });
});

describe("secretSource", () => {
  it("names the variable of an env: reference, never a literal secret", () => {
    expect(secretSource("env:SFMC_CLIENT_SECRET")).toBe(
      "the environment variable SFMC_CLIENT_SECRET",
    );
    expect(secretSource("s3cr3t-value")).toBe("the clientSecret in the config");
  });
});

describe("sendBody", () => {
  it("writes the doc's PascalCase fields; Override only with a text; CustomPayload as a JSON string", () => {
    expect(sendBody(["K1"], undefined, {})).toEqual({ SubscriberKeys: ["K1"] });
    expect(
      sendBody(["K1", "K2"], new Date("2026-06-01T18:30:00Z"), {
        messageText: "Hi",
        title: "T",
        subtitle: "S",
        sound: "default",
        badge: "+1",
        openDirect: "app://x",
        customKeys: { a: "1" },
        customPayload: { b: 2 },
        mutableContent: true,
        inclusionTags: ["vip"],
        exclusionTags: ["test"],
      }),
    ).toEqual({
      SubscriberKeys: ["K1", "K2"],
      SendTime: "2026-06-01 12:30",
      Override: true,
      MessageText: "Hi",
      title: "T",
      subtitle: "S",
      Sound: "default",
      Badge: "+1",
      OpenDirect: "app://x",
      CustomKeys: { a: "1" },
      CustomPayload: '{"b":2}',
      "mutable-content": 1,
      InclusionTags: ["vip"],
      ExclusionTags: ["test"],
    });
  });
});
