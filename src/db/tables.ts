import type { ColumnType, Generated } from "kysely";

/** Row types of Nightjar's tables (the fixed columns; customer attribute columns are dynamic). */
export interface Database {
  nightjar_migrations: {
    version: number;
    name: string;
    applied_at: Generated<Date>;
  };
  customer_attributes: {
    name: string;
    type: string;
    added_at: Generated<Date>;
  };
  imports: {
    id: Generated<number>;
    kind: "customers" | "transactions";
    import_date: string | null;
    file_name: string;
    file_sha256: string;
    rows: number;
    inserted: number;
    updated: number;
    unchanged: number;
    removed: number;
    started_at: Date;
    finished_at: Generated<Date>;
    fingerprint_basis: ColumnType<string | null, string | null | undefined, string | null>;
  };
  customers: {
    contact_key: string;
    present: Generated<boolean>;
    first_seen_on: string;
    valid_from: string;
    last_import_id: number;
    row_fingerprint: ColumnType<string | null, string | null | undefined, string | null>;
  };
  customer_history: {
    contact_key: string;
    valid_from: string;
    valid_to: string;
    present: boolean;
  };
  transactions: {
    contact_key: string;
    id: Generated<number>;
    transaction_id: string | null;
    occurred_at: ColumnType<Date, Date | string, never>;
    amount: string;
    is_purchase: Generated<boolean>;
    import_id: number;
  };
  model_fits: {
    id: Generated<number>;
    data_key: string;
    calibration_end: string;
    period: "day" | "week";
    customers: number;
    bgnbd: unknown;
    gamma_gamma: unknown;
    notes: unknown;
    seconds: number;
    fitted_at: Generated<Date>;
  };
  model_runs: {
    id: Generated<number>;
    run_date: string;
    fit_id: number | null;
    fit_reused: boolean;
    customers: number;
    stage_counts: unknown;
    seconds: number;
    started_at: Date;
    finished_at: Generated<Date>;
  };
  model_segment_clusters: {
    run_id: number;
    stage: string;
    layer: string;
    cluster: number;
    centre: number[];
    customers: number;
  };
  customer_model: {
    contact_key: string;
    run_id: number;
    run_date: string;
    stage: string;
    stage_since: string;
    segment: string;
    valid_from: string;
    value_tier: number | null;
    purchases: number;
    first_purchase_on: string | null;
    last_purchase_on: string | null;
    recency_days: number | null;
    tenure_days: number | null;
    mean_repeat_spend: number | null;
    p_alive: number | null;
    expected_purchases: number | null;
    expected_spend: number | null;
    clv: number | null;
  };
  customer_model_history: {
    contact_key: string;
    valid_from: string;
    valid_to: string;
    stage: string;
    stage_since: string;
    segment: string;
  };
  sfmc_messages: {
    business_unit: string;
    message_id: string;
    name: string;
    app_id: string;
    status: "active" | "inactive" | "removed";
    first_seen_at: ColumnType<Date, Date, never>;
    last_seen_at: ColumnType<Date, Date, Date>;
    removed_at: ColumnType<Date | null, Date | null, Date | null>;
  };
  users: {
    id: Generated<number>;
    email: string;
    role: "admin" | "marketer" | "viewer";
    password_hash: string;
    created_at: Date;
    updated_at: Date;
    password_changed_at: Date;
    disabled_at: Date | null;
  };
  user_sessions: {
    id_sha256: string;
    user_id: number;
    csrf_token: string;
    created_at: Date;
    last_seen_at: Date;
    expires_at: Date;
    revoked_at: Date | null;
    revoked_reason: string | null;
    client_address: string;
    user_agent: string | null;
  };
  api_keys: {
    id: Generated<number>;
    user_id: number;
    name: string;
    key_sha256: string;
    created_at: Date;
    last_used_at: Date | null;
    revoked_at: Date | null;
  };
  sign_in_failures: {
    id: Generated<number>;
    email: string;
    client_address: string;
    failed_at: Date;
  };
  audit_log: {
    id: Generated<number>;
    at: Date;
    actor: string;
    user_id: number | null;
    entity: string;
    entity_id: string | null;
    action: string;
    before: unknown;
    after: unknown;
  };
  target_groups: {
    id: Generated<number>;
    name: string;
    rule: unknown;
    description: string | null;
    created_at: Date;
    updated_at: Date;
    deleted_at: Date | null;
  };
  target_group_sizes: {
    target_group_id: number;
    on_date: string;
    total: number;
    reachable: number;
    source: "recorded" | "computed";
  };
  campaigns: {
    id: Generated<number>;
    name: string;
    target_group_id: number;
    channel: Generated<"sfmc_mobilepush">;
    business_unit: string;
    app_id: string;
    message_id: string;
    schedule: unknown;
    send_time: string;
    time_zone: string;
    control_percent: string;
    priority: number;
    exclusive: Generated<boolean>;
    measurement_days: Generated<number>;
    status: "draft" | "scheduled" | "paused" | "completed" | "archived";
    created_at: Date;
    updated_at: Date;
  };
  nightly_runs: {
    id: Generated<number>;
    run_date: string;
    trigger: "cli" | "schedule" | "api";
    started_by: string;
    holder: string;
    status: "running" | "completed" | "failed";
    started_at: Date;
    finished_at: Date | null;
    error: string | null;
  };
  nightly_run_steps: {
    run_id: number;
    position: number;
    step: string;
    status: "running" | "completed" | "failed" | "skipped" | "no_file";
    started_at: Date;
    finished_at: Date | null;
    counts: Generated<unknown>;
    note: string | null;
    error: string | null;
  };
  campaign_occurrences: {
    id: Generated<number>;
    campaign_id: number;
    local_date: string;
    run_date: string;
    send_at: Date;
    state: "frozen" | "delivering" | "delivered" | "delivered_with_problems";
    business_unit: string;
    app_id: string;
    message_id: string;
    budget_key: string;
    priority: number;
    exclusive: boolean;
    control_percent: string;
    measurement_days: number;
    reachable: number;
    test: number;
    control: number;
    frozen_at: Date;
    finished_at: Date | null;
    lists_purged_at: Date | null;
  };
  occurrence_recipients: {
    occurrence_id: number;
    contact_key: string;
    control: boolean;
  };
  send_batches: {
    id: Generated<number>;
    occurrence_id: number;
    seq: number;
    budget_key: string;
    size: number;
    contact_keys: string[] | null;
    state: "planned" | "sending" | "sent" | "failed" | "unknown" | "expired" | "abandoned";
    planned_at: Date;
    send_at: Date;
    late_minutes: Generated<number>;
    token_id: string | null;
    retryable: Generated<boolean>;
    error: string | null;
    attempts: Generated<number>;
    handed_at: Date | null;
    answered_at: Date | null;
    resend_of: number | null;
    resolved_by: string | null;
    resolved_at: Date | null;
    run_id: number | null;
  };
  test_sends: {
    id: Generated<number>;
    campaign_id: number;
    business_unit: string;
    message_id: string;
    budget_key: string;
    contact_keys: string[];
    state: "sending" | "sent" | "failed" | "unknown";
    token_id: string | null;
    error: string | null;
    sent_by: string;
    sent_at: Date;
  };
  batch_deliveries: {
    batch_id: number;
    day: number;
    collected_at: Date;
    ok: boolean;
    sfmc_status: string | null;
    count: number | null;
    sfmc_created_at: Date | null;
    sfmc_scheduled_at: Date | null;
    sfmc_completed_at: Date | null;
    error: string | null;
    attempts: Generated<number>;
  };
  occurrence_analyses: {
    occurrence_id: number;
    computed_at: Date;
    analysis: unknown;
  };
}
