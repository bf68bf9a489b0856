// Made by `npm run openapi` from openapi.json; do not edit.
export interface paths {
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Is the server up and ready */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ok";
                            /** @description false until the database's migrations have run (and, in the demo, its data is made) */
                            ready: boolean;
                            version: string;
                            /** @enum {string} */
                            database: "pglite" | "postgres";
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user, role and CSRF token */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Session"];
                    };
                };
            };
        };
        put?: never;
        /** Sign in with email and password (sets the session cookie) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Session"];
                    };
                };
            };
        };
        /** Sign out (ends the session) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every user */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["User"][];
                    };
                };
            };
        };
        put?: never;
        /** Add a user */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: email */
                        email: string;
                        /** @enum {string} */
                        role: "viewer" | "marketer" | "admin";
                        /** @description at least 12 characters */
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["User"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a user's role, or disable or enable them */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        role?: "viewer" | "marketer" | "admin";
                        disabled?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["User"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/users/{id}/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set a new password (ends the user's sessions) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description at least 12 characters */
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["User"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** API keys (name, created, last used; never the key) */
        get: {
            parameters: {
                query?: {
                    userId?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ApiKey"][];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ApiKey"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sfmc/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The configured SFMC accounts and business units (never secrets) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SfmcAccount"][];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sfmc/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Get a token for every business unit and read each configured app */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            ok: boolean;
                            problems: number;
                            accounts: components["schemas"]["SfmcAccountCheck"][];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sfmc/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import the API-triggered push messages of the configured apps */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accounts: number;
                            messages: {
                                added: number;
                                updated: number;
                                removed: number;
                                kept: number;
                            };
                            problems: {
                                businessUnit: string;
                                appId: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/apps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The configured push apps */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PushApp"][];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/apps/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The synced, usable push messages of one app */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PushMessage"][];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/customers/attributes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The customer attributes as configured */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            /** @enum {string} */
                            type: "text" | "integer" | "numeric" | "boolean" | "date" | "timestamp";
                            required: boolean;
                        }[];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who changed what, when (newest first) */
        get: {
            parameters: {
                query?: {
                    entity?: string;
                    from?: string;
                    to?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditEntry"][];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/target-groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every target group with its latest size */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TargetGroup"][];
                    };
                };
            };
        };
        put?: never;
        /** Save a target group */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /** @description a rule: {"all":[…]}, {"any":[…]}, {"not":…}, {"field","op","value"}, {"purchased":…}, {"notPurchased":…}, {"stageChanged":…}, {"inTargetGroup":id} */
                        rule: unknown;
                        description?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TargetGroup"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/target-groups/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One target group */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TargetGroup"];
                    };
                };
            };
        };
        /** Replace a target group's name, rule and description */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /** @description a rule: {"all":[…]}, {"any":[…]}, {"not":…}, {"field","op","value"}, {"purchased":…}, {"notPurchased":…}, {"stageChanged":…}, {"inTargetGroup":id} */
                        rule: unknown;
                        description?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TargetGroup"];
                    };
                };
            };
        };
        post?: never;
        /** Delete a target group no campaign uses */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/target-groups/count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Count a rule: total matching and reachable customers (as of a past import date, optionally) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description a rule: {"all":[…]}, {"any":[…]}, {"not":…}, {"field","op","value"}, {"purchased":…}, {"notPurchased":…}, {"stageChanged":…}, {"inTargetGroup":id} */
                        rule: unknown;
                        asOf?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description present customers matching the rule */
                            total: number;
                            /** @description … of whom push can reach: consent, no exclusion flag, not in the global control */
                            reachable: number;
                            asOf: string;
                            consentAttribute: string | null;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/target-groups/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The first matching customers, by contact key */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description a rule: {"all":[…]}, {"any":[…]}, {"not":…}, {"field","op","value"}, {"purchased":…}, {"notPurchased":…}, {"stageChanged":…}, {"inTargetGroup":id} */
                        rule: unknown;
                        /** @default 20 */
                        limit?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            asOf: string;
                            consentAttribute: string | null;
                            customers: {
                                contactKey: string;
                                reachable: boolean;
                                stage: string | null;
                                clv: number | null;
                                attributes: {
                                    [key: string]: unknown;
                                };
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/target-groups/{id}/sizes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The group's daily sizes, each recorded by a nightly run or computed from the history */
        get: {
            parameters: {
                query?: {
                    days?: number;
                };
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            targetGroupId: number;
                            days: {
                                date: string;
                                total: number;
                                reachable: number;
                                /** @enum {string} */
                                source: "recorded" | "computed";
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/customers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The first customers whose contact key starts with q (byte order) */
        get: {
            parameters: {
                query?: {
                    q?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["FoundCustomer"][];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/customers/{contactKey}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One customer: attributes and their history, stages, scores, last purchases, target groups today */
        get: {
            parameters: {
                query?: {
                    purchases?: number;
                };
                header?: never;
                path: {
                    contactKey: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Customer"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/campaigns": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The campaigns (not archived ones unless asked), by priority */
        get: {
            parameters: {
                query?: {
                    status?: "draft" | "scheduled" | "paused" | "completed" | "archived";
                    archived?: "true" | "false";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Campaign"][];
                    };
                };
            };
        };
        put?: never;
        /** Save a campaign (scheduled, or a draft) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        targetGroupId: number;
                        /**
                         * @default sfmc_mobilepush
                         * @enum {string}
                         */
                        channel?: "sfmc_mobilepush";
                        /** @description the business unit's MID */
                        businessUnit: string;
                        appId: string;
                        messageId: string;
                        schedule: {
                            /** @enum {string} */
                            type: "once";
                            date: string;
                        } | {
                            /** @enum {string} */
                            type: "daily";
                            start: string;
                            end?: string;
                        } | {
                            /** @enum {string} */
                            type: "weekly";
                            days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
                            start: string;
                            end?: string;
                        } | {
                            /** @enum {string} */
                            type: "monthly";
                            day: number;
                            start: string;
                            end?: string;
                        };
                        sendTime: string;
                        /** @description IANA time zone of the schedule's dates and the send time */
                        timeZone: string;
                        /** @default 10 */
                        controlGroupPercent?: number;
                        /** @default 1 */
                        priority?: number;
                        /** @default true */
                        exclusive?: boolean;
                        /** @default 7 */
                        measurementDays?: number;
                        /**
                         * @default scheduled
                         * @enum {string}
                         */
                        status?: "draft" | "scheduled";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: number;
                            name: string;
                            targetGroupId: number;
                            /** @enum {string} */
                            channel: "sfmc_mobilepush";
                            businessUnit: string;
                            appId: string;
                            messageId: string;
                            schedule: {
                                /** @enum {string} */
                                type: "once";
                                date: string;
                            } | {
                                /** @enum {string} */
                                type: "daily";
                                start: string;
                                end?: string;
                            } | {
                                /** @enum {string} */
                                type: "weekly";
                                days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
                                start: string;
                                end?: string;
                            } | {
                                /** @enum {string} */
                                type: "monthly";
                                day: number;
                                start: string;
                                end?: string;
                            };
                            sendTime: string;
                            timeZone: string;
                            controlGroupPercent: number;
                            priority: number;
                            exclusive: boolean;
                            measurementDays: number;
                            /** @enum {string} */
                            status: "draft" | "scheduled" | "paused" | "completed" | "archived";
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                            nextOccurrence: {
                                date: string;
                                /** Format: date-time */
                                sendAt: string;
                            } | null;
                            warnings: string[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/campaigns/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One campaign */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Campaign"];
                    };
                };
            };
        };
        /** Replace a campaign's settings (later occurrences only) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        targetGroupId: number;
                        /**
                         * @default sfmc_mobilepush
                         * @enum {string}
                         */
                        channel?: "sfmc_mobilepush";
                        /** @description the business unit's MID */
                        businessUnit: string;
                        appId: string;
                        messageId: string;
                        schedule: {
                            /** @enum {string} */
                            type: "once";
                            date: string;
                        } | {
                            /** @enum {string} */
                            type: "daily";
                            start: string;
                            end?: string;
                        } | {
                            /** @enum {string} */
                            type: "weekly";
                            days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
                            start: string;
                            end?: string;
                        } | {
                            /** @enum {string} */
                            type: "monthly";
                            day: number;
                            start: string;
                            end?: string;
                        };
                        sendTime: string;
                        /** @description IANA time zone of the schedule's dates and the send time */
                        timeZone: string;
                        /** @default 10 */
                        controlGroupPercent?: number;
                        /** @default 1 */
                        priority?: number;
                        /** @default true */
                        exclusive?: boolean;
                        /** @default 7 */
                        measurementDays?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: number;
                            name: string;
                            targetGroupId: number;
                            /** @enum {string} */
                            channel: "sfmc_mobilepush";
                            businessUnit: string;
                            appId: string;
                            messageId: string;
                            schedule: {
                                /** @enum {string} */
                                type: "once";
                                date: string;
                            } | {
                                /** @enum {string} */
                                type: "daily";
                                start: string;
                                end?: string;
                            } | {
                                /** @enum {string} */
                                type: "weekly";
                                days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
                                start: string;
                                end?: string;
                            } | {
                                /** @enum {string} */
                                type: "monthly";
                                day: number;
                                start: string;
                                end?: string;
                            };
                            sendTime: string;
                            timeZone: string;
                            controlGroupPercent: number;
                            priority: number;
                            exclusive: boolean;
                            measurementDays: number;
                            /** @enum {string} */
                            status: "draft" | "scheduled" | "paused" | "completed" | "archived";
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                            nextOccurrence: {
                                date: string;
                                /** Format: date-time */
                                sendAt: string;
                            } | null;
                            warnings: string[];
                        };
                    };
                };
            };
        };
        post?: never;
        /** Delete a draft campaign (others are archived) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/campaigns/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause a scheduled campaign (batches already handed over to SFMC still go out: its warnings say so) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: number;
                            name: string;
                            targetGroupId: number;
                            /** @enum {string} */
                            channel: "sfmc_mobilepush";
                            businessUnit: string;
                            appId: string;
                            messageId: string;
                            schedule: {
                                /** @enum {string} */
                                type: "once";
                                date: string;
                            } | {
                                /** @enum {string} */
                                type: "daily";
                                start: string;
                                end?: string;
                            } | {
                                /** @enum {string} */
                                type: "weekly";
                                days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
                                start: string;
                                end?: string;
                            } | {
                                /** @enum {string} */
                                type: "monthly";
                                day: number;
                                start: string;
                                end?: string;
                            };
                            sendTime: string;
                            timeZone: string;
                            controlGroupPercent: number;
                            priority: number;
                            exclusive: boolean;
                            measurementDays: number;
                            /** @enum {string} */
                            status: "draft" | "scheduled" | "paused" | "completed" | "archived";
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                            nextOccurrence: {
                                date: string;
                                /** Format: date-time */
                                sendAt: string;
                            } | null;
                            warnings: string[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/campaigns/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Schedule a paused or draft campaign */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: number;
                            name: string;
                            targetGroupId: number;
                            /** @enum {string} */
                            channel: "sfmc_mobilepush";
                            businessUnit: string;
                            appId: string;
                            messageId: string;
                            schedule: {
                                /** @enum {string} */
                                type: "once";
                                date: string;
                            } | {
                                /** @enum {string} */
                                type: "daily";
                                start: string;
                                end?: string;
                            } | {
                                /** @enum {string} */
                                type: "weekly";
                                days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
                                start: string;
                                end?: string;
                            } | {
                                /** @enum {string} */
                                type: "monthly";
                                day: number;
                                start: string;
                                end?: string;
                            };
                            sendTime: string;
                            timeZone: string;
                            controlGroupPercent: number;
                            priority: number;
                            exclusive: boolean;
                            measurementDays: number;
                            /** @enum {string} */
                            status: "draft" | "scheduled" | "paused" | "completed" | "archived";
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                            nextOccurrence: {
                                date: string;
                                /** Format: date-time */
                                sendAt: string;
                            } | null;
                            warnings: string[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/campaigns/{id}/archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Archive a campaign (batches already handed over to SFMC still go out) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: number;
                            name: string;
                            targetGroupId: number;
                            /** @enum {string} */
                            channel: "sfmc_mobilepush";
                            businessUnit: string;
                            appId: string;
                            messageId: string;
                            schedule: {
                                /** @enum {string} */
                                type: "once";
                                date: string;
                            } | {
                                /** @enum {string} */
                                type: "daily";
                                start: string;
                                end?: string;
                            } | {
                                /** @enum {string} */
                                type: "weekly";
                                days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
                                start: string;
                                end?: string;
                            } | {
                                /** @enum {string} */
                                type: "monthly";
                                day: number;
                                start: string;
                                end?: string;
                            };
                            sendTime: string;
                            timeZone: string;
                            controlGroupPercent: number;
                            priority: number;
                            exclusive: boolean;
                            measurementDays: number;
                            /** @enum {string} */
                            status: "draft" | "scheduled" | "paused" | "completed" | "archived";
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                            nextOccurrence: {
                                date: string;
                                /** Format: date-time */
                                sendAt: string;
                            } | null;
                            warnings: string[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/campaigns/{id}/test-send": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Push the campaign's message now to the test contacts (campaigns.testContacts); not counted in any analysis or the frequency cap */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: number;
                            campaignId: number;
                            businessUnit: string;
                            messageId: string;
                            contactKeys: string[];
                            /** @enum {string} */
                            state: "sending" | "sent" | "failed" | "unknown";
                            tokenId: string | null;
                            error: string | null;
                            sentBy: string;
                            sentAt: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/campaigns/{id}/duplicate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A draft copy of a campaign */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Campaign"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/plan": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What the nightly run of a date will send, to whom (counts) and when */
        get: {
            parameters: {
                query?: {
                    date?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["NightPlan"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/occurrences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The calendar: every occurrence of the scheduled campaigns handed over by the runs from..to */
        get: {
            parameters: {
                query: {
                    from: string;
                    to: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            campaignId: number;
                            campaignName: string;
                            runDate: string;
                            localDate: string;
                            sendAt: string;
                        }[];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/campaigns/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** An unsaved campaign's problems, next occurrence, sizes, batches, execution schedule and warnings */
        post: {
            parameters: {
                query?: {
                    campaignId?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": unknown;
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            valid: boolean;
                            problems: {
                                path: string;
                                message: string;
                            }[];
                            warnings: string[];
                            nextOccurrence: {
                                date: string;
                                sendAt: string;
                                sfmcSendTime: string;
                            } | null;
                            targetGroup: {
                                total: number;
                                reachable: number;
                            } | null;
                            test: number;
                            control: number;
                            batches: number;
                            firstBatchAt: string | null;
                            lastBatchAt: string | null;
                            latenessMinutes: number;
                            baselineResponseRate: number | null;
                            minimumDetectableUplift: number | null;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/campaigns/{id}/analysis": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An occurrence's send metrics per day and its test-against-control analysis (default: the latest occurrence), and every occurrence side by side */
        get: {
            parameters: {
                query?: {
                    occurrence?: string;
                };
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CampaignAnalysis"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/model/stages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The customer base by lifecycle stage per model run date over the days up to the latest run, and the last 7 days' stage movements */
        get: {
            parameters: {
                query?: {
                    days?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["StagesOverTime"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The nightly runs, newest first */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RunSummary"][];
                    };
                };
            };
        };
        put?: never;
        /** Start the nightly run of a date (Default: today in schedule.timeZone); answers once it is under way, 409 while another run holds the lock */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        date?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            runId: number;
                            date: string;
                            resumed: boolean;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What a nightly run did: its steps, and its occurrences with their batches by state */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["NightReport"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/batches": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The send batches, newest first (at most 1000); unknown ones with their contact keys */
        get: {
            parameters: {
                query?: {
                    state?: "planned" | "sending" | "sent" | "failed" | "unknown" | "expired" | "abandoned";
                    date?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SendBatch"][];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/batches/{id}/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resolve an unknown batch once SFMC was checked: sent (optionally with its tokenId), re-send (a new batch the next run hands over) or abandon */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        action: "sent" | "resend" | "abandon";
                        tokenId?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            batch: components["schemas"]["SendBatch"];
                            resend: components["schemas"]["SendBatch"] | null;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI document */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ProblemInput: {
            type: string;
            title: string;
            status: number;
            detail: string;
            errors?: {
                path: string;
                message: string;
            }[];
            errorId?: string;
        };
        OccurrenceAnalysisInput: {
            campaignId: number;
            occurrence: string;
            complete: boolean;
            window: {
                from: string;
                to: string;
            };
            preperiod: {
                from: string;
                to: string;
            };
            groups: {
                test: {
                    customers: number;
                    responders: number;
                    revenue: number;
                };
                control: {
                    customers: number;
                    responders: number;
                    revenue: number;
                };
            };
            responseRate: {
                test: number | null;
                control: number | null;
                uplift: number | null;
                relativeUplift: number | null;
                ci95: [
                    number,
                    number
                ] | null;
                pValue: number | null;
                probabilityTestBetter: number | null;
            };
            revenuePerCustomer: {
                test: number | null;
                control: number | null;
                uplift: number | null;
                relativeUplift: number | null;
                ci95: [
                    number,
                    number
                ] | null;
                pValue: number | null;
                degreesOfFreedom: number | null;
            };
            cuped: {
                theta: number | null;
                uplift: number | null;
                ci95: [
                    number,
                    number
                ] | null;
                varianceReduction: number | null;
            };
            incremental: {
                responders: number | null;
                revenue: number | null;
            };
            minimumDetectableUplift: number | null;
            cumulative: {
                day: number;
                date: string;
                test: number | null;
                control: number | null;
            }[];
            metrics: {
                occurrenceId: number;
                campaignId: number;
                localDate: string;
                targeted: number;
                control: number;
                pushed: number;
                count: number | null;
                sendRate: number | null;
                late: number;
                expired: number;
                batches: number;
                sentBatches: number;
                unknown: number;
                days: {
                    day: number;
                    date: string;
                    count: number | null;
                    sendRate: number | null;
                    batchesAnswered: number;
                }[];
            };
            /** @enum {string} */
            significance: "significant" | "not_significant" | "borderline" | "not_enough_data" | "not_measurable";
            verdict: string;
        };
        CampaignAnalysisInput: {
            campaignId: number;
            occurrence: string;
            complete: boolean;
            window: {
                from: string;
                to: string;
            };
            preperiod: {
                from: string;
                to: string;
            };
            groups: {
                test: {
                    customers: number;
                    responders: number;
                    revenue: number;
                };
                control: {
                    customers: number;
                    responders: number;
                    revenue: number;
                };
            };
            responseRate: {
                test: number | null;
                control: number | null;
                uplift: number | null;
                relativeUplift: number | null;
                ci95: [
                    number,
                    number
                ] | null;
                pValue: number | null;
                probabilityTestBetter: number | null;
            };
            revenuePerCustomer: {
                test: number | null;
                control: number | null;
                uplift: number | null;
                relativeUplift: number | null;
                ci95: [
                    number,
                    number
                ] | null;
                pValue: number | null;
                degreesOfFreedom: number | null;
            };
            cuped: {
                theta: number | null;
                uplift: number | null;
                ci95: [
                    number,
                    number
                ] | null;
                varianceReduction: number | null;
            };
            incremental: {
                responders: number | null;
                revenue: number | null;
            };
            minimumDetectableUplift: number | null;
            cumulative: {
                day: number;
                date: string;
                test: number | null;
                control: number | null;
            }[];
            metrics: {
                occurrenceId: number;
                campaignId: number;
                localDate: string;
                targeted: number;
                control: number;
                pushed: number;
                count: number | null;
                sendRate: number | null;
                late: number;
                expired: number;
                batches: number;
                sentBatches: number;
                unknown: number;
                days: {
                    day: number;
                    date: string;
                    count: number | null;
                    sendRate: number | null;
                    batchesAnswered: number;
                }[];
            };
            /** @enum {string} */
            significance: "significant" | "not_significant" | "borderline" | "not_enough_data" | "not_measurable";
            verdict: string;
            campaignName: string;
            timeZone: string;
            occurrences: components["schemas"]["OccurrenceAnalysisInput"][];
        };
        AuditEntryInput: {
            id: number;
            /** Format: date-time */
            at: string;
            /** @description user:<email> or cli:<OS user> */
            actor: string;
            entity: string;
            entityId: string | null;
            action: string;
            before: unknown;
            after: unknown;
        };
        CampaignInput: {
            id: number;
            name: string;
            targetGroupId: number;
            /** @constant */
            channel: "sfmc_mobilepush";
            businessUnit: string;
            appId: string;
            messageId: string;
            schedule: {
                /** @constant */
                type: "once";
                date: string;
            } | {
                /** @constant */
                type: "daily";
                start: string;
                end?: string;
            } | {
                /** @constant */
                type: "weekly";
                days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
                start: string;
                end?: string;
            } | {
                /** @constant */
                type: "monthly";
                day: number;
                start: string;
                end?: string;
            };
            sendTime: string;
            timeZone: string;
            controlGroupPercent: number;
            priority: number;
            exclusive: boolean;
            measurementDays: number;
            /** @enum {string} */
            status: "draft" | "scheduled" | "paused" | "completed" | "archived";
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            nextOccurrence: {
                date: string;
                /** Format: date-time */
                sendAt: string;
            } | null;
        };
        FoundCustomerInput: {
            contactKey: string;
            present: boolean;
            /** @description the first configured attributes */
            attributes: {
                [key: string]: unknown;
            };
            stage: string | null;
        };
        CustomerInput: {
            contactKey: string;
            present: boolean;
            /** @description YYYY-MM-DD */
            firstSeenOn: string;
            /** @description attribute name → value (null when not set) */
            attributes: {
                [key: string]: unknown;
            };
            /** @description every version, newest first */
            history: {
                /** @description YYYY-MM-DD */
                validFrom: string;
                /** @description null for the version in force */
                validTo: string | null;
                present: boolean;
                /** @description attribute name → value (null when not set) */
                attributes: {
                    [key: string]: unknown;
                };
                /** @description the attributes that differ from the version before */
                changed: string[];
            }[];
            /** @description the latest model run's scores; null before the first run */
            model: {
                /** @description YYYY-MM-DD */
                runDate: string;
                stage: string;
                /** @description YYYY-MM-DD */
                stageSince: string;
                segment: string;
                valueTier: number | null;
                purchases: number;
                firstPurchaseOn: string | null;
                lastPurchaseOn: string | null;
                recencyDays: number | null;
                tenureDays: number | null;
                pAlive: number | null;
                expectedPurchases: number | null;
                expectedSpend: number | null;
                clv: number | null;
            } | null;
            /** @description stage and micro-segment versions, newest first */
            stages: {
                /** @description YYYY-MM-DD */
                validFrom: string;
                validTo: string | null;
                stage: string;
                segment: string;
            }[];
            /** @description newest first */
            lastPurchases: {
                /** Format: date-time */
                occurredAt: string;
                /** @description a decimal; negative for a refund */
                amount: string;
                transactionId: string | null;
            }[];
            targetGroups: {
                /** @description YYYY-MM-DD */
                asOf: string;
                groups: {
                    id: number;
                    name: string;
                    reachable: boolean;
                }[];
            };
        };
        StagesOverTimeInput: {
            stages: {
                /** @enum {string} */
                stage: "prospect" | "new" | "active" | "at_risk" | "churned" | "reactivated";
                label: string;
            }[];
            /** @description per model run date, oldest first, the customers in each stage */
            runs: {
                date: string;
                customers: number;
                stages: {
                    [key: string]: number;
                };
            }[];
            /** @description stage movements of the 7 days up to the latest run; null before the first run */
            movements: {
                since: string;
                until: string;
                moves: {
                    /** @enum {string} */
                    from: "prospect" | "new" | "active" | "at_risk" | "churned" | "reactivated";
                    fromLabel: string;
                    /** @enum {string} */
                    to: "prospect" | "new" | "active" | "at_risk" | "churned" | "reactivated";
                    toLabel: string;
                    customers: number;
                }[];
            } | null;
        };
        NightPlanInput: {
            date: string;
            window: {
                from: string;
                to: string;
            };
            occurrences: {
                campaignId: number;
                campaignName: string;
                priority: number;
                exclusive: boolean;
                businessUnit: string;
                account: string | null;
                appId: string;
                messageId: string;
                localDate: string;
                frozen: boolean;
                sendTime: {
                    local: string;
                    timeZone: string;
                    utc: string;
                    sfmc: string;
                };
                targetGroup: {
                    id: number;
                    total: number;
                    reachable: number;
                };
                afterPriorities: number;
                lostToHigherPriority: number;
                cappedByFrequency: number;
                control: number;
                test: number;
                batches: number;
                firstBatchAt: string | null;
                lastBatchAt: string | null;
                latenessMinutes: number;
                baselineResponseRate: number | null;
                minimumDetectableUplift: number | null;
                warnings: string[];
            }[];
            overlaps: {
                customersInSeveral: number;
                pairs: {
                    campaignA: number;
                    campaignB: number;
                    customers: number;
                }[];
            };
            /** @description per SFMC account, the night's recipients in each window of its send budget */
            timeline: {
                /** @description the configured accounts of one client id */
                accounts: string[];
                budget: {
                    /** @description recipients per window, after the reserve */
                    limit: number;
                    windowMinutes: number;
                    text: string;
                };
                windows: {
                    from: string;
                    recipients: number;
                    batches: number;
                }[];
            }[];
            warnings: string[];
        };
        RunSummaryInput: {
            id: number;
            date: string;
            /** @enum {string} */
            status: "running" | "completed" | "failed";
            /** @enum {string} */
            trigger: "cli" | "schedule" | "api";
            startedBy: string;
            startedAt: string;
            finishedAt: string | null;
            error: string | null;
        };
        NightReportInput: {
            runId: number;
            date: string;
            /** @enum {string} */
            status: "running" | "completed" | "failed";
            trigger: string;
            startedBy: string;
            startedAt: string;
            finishedAt: string | null;
            error: string | null;
            steps: {
                step: string;
                status: string;
                startedAt: string;
                finishedAt: string | null;
                counts: {
                    [key: string]: unknown;
                };
                note: string | null;
                error: string | null;
            }[];
            campaigns: {
                id: number;
                name: string;
                occurrenceId: number;
                localDate: string;
                state: string;
                recipients: number;
                control: number;
                batches: number;
                sent: number;
                failed: number;
                unknownBatches: number;
                expired: number;
                abandoned: number;
                planned: number;
                late: number;
                firstSendTime: string | null;
                lastSendTime: string | null;
            }[];
            accounts: {
                account: string;
                batches: number;
                batchesDone: number;
                recipients: number;
                recipientsDone: number;
            }[];
            unknownBatches: number;
        };
        SendBatchInput: {
            id: number;
            campaignId: number;
            campaignName: string;
            occurrenceId: number;
            localDate: string;
            runDate: string;
            seq: number;
            size: number;
            /** @enum {string} */
            state: "planned" | "sending" | "sent" | "failed" | "unknown" | "expired" | "abandoned";
            sendAt: string;
            lateMinutes: number;
            handedAt: string | null;
            tokenId: string | null;
            error: string | null;
            resendOf: number | null;
            resolvedBy: string | null;
            resolvedAt: string | null;
            contactKeys: string[] | null;
        };
        SessionInput: {
            user: {
                id: number;
                email: string;
                /** @enum {string} */
                role: "viewer" | "marketer" | "admin";
            };
            /** @enum {string} */
            role: "viewer" | "marketer" | "admin";
            /** @enum {string} */
            via: "session" | "api_key";
            /** @description send it as x-csrf-token on every change made with the session cookie */
            csrfToken: string | null;
        };
        /** @description An SFMC account as configured (never its secret) */
        SfmcAccountInput: {
            name: string;
            authBaseUrl: string;
            clientId: string;
            sendBudget: {
                recipients: number;
                perMinutes: number;
            };
            maxInFlight: number;
            businessUnits: {
                mid: string;
                name: string;
                templatePrefix: string;
            }[];
        };
        SfmcAccountCheckInput: {
            name: string;
            ok: boolean;
            problem?: string;
            businessUnits: {
                mid: string;
                name: string;
                ok: boolean;
                checked: boolean;
                scopes: string[] | null;
                problem?: string;
                apps: {
                    id: string;
                    name: string;
                    ok: boolean;
                    checked: boolean;
                    problem?: string;
                    note?: string;
                }[];
            }[];
        };
        PushAppInput: {
            id: string;
            name: string;
            businessUnit: string;
        };
        PushMessageInput: {
            id: string;
            name: string;
            appId: string;
            businessUnit: string;
            /** @constant */
            status: "active";
        };
        TargetGroupInput: {
            id: number;
            name: string;
            description: string | null;
            /** @description a rule: {"all":[…]}, {"any":[…]}, {"not":…}, {"field","op","value"}, {"purchased":…}, {"notPurchased":…}, {"stageChanged":…}, {"inTargetGroup":id} */
            rule: unknown;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            lastSize: {
                date: string;
                total: number;
                reachable: number;
            } | null;
        };
        UserInput: {
            id: number;
            email: string;
            /** @enum {string} */
            role: "viewer" | "marketer" | "admin";
            disabled: boolean;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        ApiKeyInput: {
            id: number;
            userId: number;
            email: string;
            name: string;
            /** Format: date-time */
            createdAt: string;
            lastUsedAt: string | null;
            revokedAt: string | null;
        };
        Problem: {
            type: string;
            title: string;
            status: number;
            detail: string;
            errors?: {
                path: string;
                message: string;
            }[];
            errorId?: string;
        };
        OccurrenceAnalysis: {
            campaignId: number;
            occurrence: string;
            complete: boolean;
            window: {
                from: string;
                to: string;
            };
            preperiod: {
                from: string;
                to: string;
            };
            groups: {
                test: {
                    customers: number;
                    responders: number;
                    revenue: number;
                };
                control: {
                    customers: number;
                    responders: number;
                    revenue: number;
                };
            };
            responseRate: {
                test: number | null;
                control: number | null;
                uplift: number | null;
                relativeUplift: number | null;
                ci95: [
                    number,
                    number
                ] | null;
                pValue: number | null;
                probabilityTestBetter: number | null;
            };
            revenuePerCustomer: {
                test: number | null;
                control: number | null;
                uplift: number | null;
                relativeUplift: number | null;
                ci95: [
                    number,
                    number
                ] | null;
                pValue: number | null;
                degreesOfFreedom: number | null;
            };
            cuped: {
                theta: number | null;
                uplift: number | null;
                ci95: [
                    number,
                    number
                ] | null;
                varianceReduction: number | null;
            };
            incremental: {
                responders: number | null;
                revenue: number | null;
            };
            minimumDetectableUplift: number | null;
            cumulative: {
                day: number;
                date: string;
                test: number | null;
                control: number | null;
            }[];
            metrics: {
                occurrenceId: number;
                campaignId: number;
                localDate: string;
                targeted: number;
                control: number;
                pushed: number;
                count: number | null;
                sendRate: number | null;
                late: number;
                expired: number;
                batches: number;
                sentBatches: number;
                unknown: number;
                days: {
                    day: number;
                    date: string;
                    count: number | null;
                    sendRate: number | null;
                    batchesAnswered: number;
                }[];
            };
            /** @enum {string} */
            significance: "significant" | "not_significant" | "borderline" | "not_enough_data" | "not_measurable";
            verdict: string;
        };
        CampaignAnalysis: {
            campaignId: number;
            occurrence: string;
            complete: boolean;
            window: {
                from: string;
                to: string;
            };
            preperiod: {
                from: string;
                to: string;
            };
            groups: {
                test: {
                    customers: number;
                    responders: number;
                    revenue: number;
                };
                control: {
                    customers: number;
                    responders: number;
                    revenue: number;
                };
            };
            responseRate: {
                test: number | null;
                control: number | null;
                uplift: number | null;
                relativeUplift: number | null;
                ci95: [
                    number,
                    number
                ] | null;
                pValue: number | null;
                probabilityTestBetter: number | null;
            };
            revenuePerCustomer: {
                test: number | null;
                control: number | null;
                uplift: number | null;
                relativeUplift: number | null;
                ci95: [
                    number,
                    number
                ] | null;
                pValue: number | null;
                degreesOfFreedom: number | null;
            };
            cuped: {
                theta: number | null;
                uplift: number | null;
                ci95: [
                    number,
                    number
                ] | null;
                varianceReduction: number | null;
            };
            incremental: {
                responders: number | null;
                revenue: number | null;
            };
            minimumDetectableUplift: number | null;
            cumulative: {
                day: number;
                date: string;
                test: number | null;
                control: number | null;
            }[];
            metrics: {
                occurrenceId: number;
                campaignId: number;
                localDate: string;
                targeted: number;
                control: number;
                pushed: number;
                count: number | null;
                sendRate: number | null;
                late: number;
                expired: number;
                batches: number;
                sentBatches: number;
                unknown: number;
                days: {
                    day: number;
                    date: string;
                    count: number | null;
                    sendRate: number | null;
                    batchesAnswered: number;
                }[];
            };
            /** @enum {string} */
            significance: "significant" | "not_significant" | "borderline" | "not_enough_data" | "not_measurable";
            verdict: string;
            campaignName: string;
            timeZone: string;
            occurrences: components["schemas"]["OccurrenceAnalysis"][];
        };
        AuditEntry: {
            id: number;
            /** Format: date-time */
            at: string;
            /** @description user:<email> or cli:<OS user> */
            actor: string;
            entity: string;
            entityId: string | null;
            action: string;
            before: unknown;
            after: unknown;
        };
        Campaign: {
            id: number;
            name: string;
            targetGroupId: number;
            /** @constant */
            channel: "sfmc_mobilepush";
            businessUnit: string;
            appId: string;
            messageId: string;
            schedule: {
                /** @constant */
                type: "once";
                date: string;
            } | {
                /** @constant */
                type: "daily";
                start: string;
                end?: string;
            } | {
                /** @constant */
                type: "weekly";
                days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
                start: string;
                end?: string;
            } | {
                /** @constant */
                type: "monthly";
                day: number;
                start: string;
                end?: string;
            };
            sendTime: string;
            timeZone: string;
            controlGroupPercent: number;
            priority: number;
            exclusive: boolean;
            measurementDays: number;
            /** @enum {string} */
            status: "draft" | "scheduled" | "paused" | "completed" | "archived";
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            nextOccurrence: {
                date: string;
                /** Format: date-time */
                sendAt: string;
            } | null;
        };
        FoundCustomer: {
            contactKey: string;
            present: boolean;
            /** @description the first configured attributes */
            attributes: {
                [key: string]: unknown;
            };
            stage: string | null;
        };
        Customer: {
            contactKey: string;
            present: boolean;
            /** @description YYYY-MM-DD */
            firstSeenOn: string;
            /** @description attribute name → value (null when not set) */
            attributes: {
                [key: string]: unknown;
            };
            /** @description every version, newest first */
            history: {
                /** @description YYYY-MM-DD */
                validFrom: string;
                /** @description null for the version in force */
                validTo: string | null;
                present: boolean;
                /** @description attribute name → value (null when not set) */
                attributes: {
                    [key: string]: unknown;
                };
                /** @description the attributes that differ from the version before */
                changed: string[];
            }[];
            /** @description the latest model run's scores; null before the first run */
            model: {
                /** @description YYYY-MM-DD */
                runDate: string;
                stage: string;
                /** @description YYYY-MM-DD */
                stageSince: string;
                segment: string;
                valueTier: number | null;
                purchases: number;
                firstPurchaseOn: string | null;
                lastPurchaseOn: string | null;
                recencyDays: number | null;
                tenureDays: number | null;
                pAlive: number | null;
                expectedPurchases: number | null;
                expectedSpend: number | null;
                clv: number | null;
            } | null;
            /** @description stage and micro-segment versions, newest first */
            stages: {
                /** @description YYYY-MM-DD */
                validFrom: string;
                validTo: string | null;
                stage: string;
                segment: string;
            }[];
            /** @description newest first */
            lastPurchases: {
                /** Format: date-time */
                occurredAt: string;
                /** @description a decimal; negative for a refund */
                amount: string;
                transactionId: string | null;
            }[];
            targetGroups: {
                /** @description YYYY-MM-DD */
                asOf: string;
                groups: {
                    id: number;
                    name: string;
                    reachable: boolean;
                }[];
            };
        };
        StagesOverTime: {
            stages: {
                /** @enum {string} */
                stage: "prospect" | "new" | "active" | "at_risk" | "churned" | "reactivated";
                label: string;
            }[];
            /** @description per model run date, oldest first, the customers in each stage */
            runs: {
                date: string;
                customers: number;
                stages: {
                    [key: string]: number;
                };
            }[];
            /** @description stage movements of the 7 days up to the latest run; null before the first run */
            movements: {
                since: string;
                until: string;
                moves: {
                    /** @enum {string} */
                    from: "prospect" | "new" | "active" | "at_risk" | "churned" | "reactivated";
                    fromLabel: string;
                    /** @enum {string} */
                    to: "prospect" | "new" | "active" | "at_risk" | "churned" | "reactivated";
                    toLabel: string;
                    customers: number;
                }[];
            } | null;
        };
        NightPlan: {
            date: string;
            window: {
                from: string;
                to: string;
            };
            occurrences: {
                campaignId: number;
                campaignName: string;
                priority: number;
                exclusive: boolean;
                businessUnit: string;
                account: string | null;
                appId: string;
                messageId: string;
                localDate: string;
                frozen: boolean;
                sendTime: {
                    local: string;
                    timeZone: string;
                    utc: string;
                    sfmc: string;
                };
                targetGroup: {
                    id: number;
                    total: number;
                    reachable: number;
                };
                afterPriorities: number;
                lostToHigherPriority: number;
                cappedByFrequency: number;
                control: number;
                test: number;
                batches: number;
                firstBatchAt: string | null;
                lastBatchAt: string | null;
                latenessMinutes: number;
                baselineResponseRate: number | null;
                minimumDetectableUplift: number | null;
                warnings: string[];
            }[];
            overlaps: {
                customersInSeveral: number;
                pairs: {
                    campaignA: number;
                    campaignB: number;
                    customers: number;
                }[];
            };
            /** @description per SFMC account, the night's recipients in each window of its send budget */
            timeline: {
                /** @description the configured accounts of one client id */
                accounts: string[];
                budget: {
                    /** @description recipients per window, after the reserve */
                    limit: number;
                    windowMinutes: number;
                    text: string;
                };
                windows: {
                    from: string;
                    recipients: number;
                    batches: number;
                }[];
            }[];
            warnings: string[];
        };
        RunSummary: {
            id: number;
            date: string;
            /** @enum {string} */
            status: "running" | "completed" | "failed";
            /** @enum {string} */
            trigger: "cli" | "schedule" | "api";
            startedBy: string;
            startedAt: string;
            finishedAt: string | null;
            error: string | null;
        };
        NightReport: {
            runId: number;
            date: string;
            /** @enum {string} */
            status: "running" | "completed" | "failed";
            trigger: string;
            startedBy: string;
            startedAt: string;
            finishedAt: string | null;
            error: string | null;
            steps: {
                step: string;
                status: string;
                startedAt: string;
                finishedAt: string | null;
                counts: {
                    [key: string]: unknown;
                };
                note: string | null;
                error: string | null;
            }[];
            campaigns: {
                id: number;
                name: string;
                occurrenceId: number;
                localDate: string;
                state: string;
                recipients: number;
                control: number;
                batches: number;
                sent: number;
                failed: number;
                unknownBatches: number;
                expired: number;
                abandoned: number;
                planned: number;
                late: number;
                firstSendTime: string | null;
                lastSendTime: string | null;
            }[];
            accounts: {
                account: string;
                batches: number;
                batchesDone: number;
                recipients: number;
                recipientsDone: number;
            }[];
            unknownBatches: number;
        };
        SendBatch: {
            id: number;
            campaignId: number;
            campaignName: string;
            occurrenceId: number;
            localDate: string;
            runDate: string;
            seq: number;
            size: number;
            /** @enum {string} */
            state: "planned" | "sending" | "sent" | "failed" | "unknown" | "expired" | "abandoned";
            sendAt: string;
            lateMinutes: number;
            handedAt: string | null;
            tokenId: string | null;
            error: string | null;
            resendOf: number | null;
            resolvedBy: string | null;
            resolvedAt: string | null;
            contactKeys: string[] | null;
        };
        Session: {
            user: {
                id: number;
                email: string;
                /** @enum {string} */
                role: "viewer" | "marketer" | "admin";
            };
            /** @enum {string} */
            role: "viewer" | "marketer" | "admin";
            /** @enum {string} */
            via: "session" | "api_key";
            /** @description send it as x-csrf-token on every change made with the session cookie */
            csrfToken: string | null;
        };
        /** @description An SFMC account as configured (never its secret) */
        SfmcAccount: {
            name: string;
            authBaseUrl: string;
            clientId: string;
            sendBudget: {
                recipients: number;
                perMinutes: number;
            };
            maxInFlight: number;
            businessUnits: {
                mid: string;
                name: string;
                templatePrefix: string;
            }[];
        };
        SfmcAccountCheck: {
            name: string;
            ok: boolean;
            problem?: string;
            businessUnits: {
                mid: string;
                name: string;
                ok: boolean;
                checked: boolean;
                scopes: string[] | null;
                problem?: string;
                apps: {
                    id: string;
                    name: string;
                    ok: boolean;
                    checked: boolean;
                    problem?: string;
                    note?: string;
                }[];
            }[];
        };
        PushApp: {
            id: string;
            name: string;
            businessUnit: string;
        };
        PushMessage: {
            id: string;
            name: string;
            appId: string;
            businessUnit: string;
            /** @constant */
            status: "active";
        };
        TargetGroup: {
            id: number;
            name: string;
            description: string | null;
            /** @description a rule: {"all":[…]}, {"any":[…]}, {"not":…}, {"field","op","value"}, {"purchased":…}, {"notPurchased":…}, {"stageChanged":…}, {"inTargetGroup":id} */
            rule: unknown;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            lastSize: {
                date: string;
                total: number;
                reachable: number;
            } | null;
        };
        User: {
            id: number;
            email: string;
            /** @enum {string} */
            role: "viewer" | "marketer" | "admin";
            disabled: boolean;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        ApiKey: {
            id: number;
            userId: number;
            email: string;
            name: string;
            /** Format: date-time */
            createdAt: string;
            lastUsedAt: string | null;
            revokedAt: string | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
