import { Migration } from '@mikro-orm/migrations';

export class Migration20261201232428 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "task_decision" ("id" uuid not null, "task_id" varchar(80) not null, "case_id" varchar(64) not null, "workflow_id" varchar(80) not null, "decision" text check ("decision" in ('approve', 'reject', 'more_info', 'retry')) not null, "reason" text null, "decided_by" varchar(64) not null, "role" text check ("role" in ('staff', 'supervisor', 'coordinator')) not null, "decided_at" timestamptz not null, "outcome" text check ("outcome" in ('pending', 'accepted', 'refused')) not null, "refusal_code" varchar(40) null, "refusal_reason" text null, "resolved_at" timestamptz null, constraint "task_decision_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "task_decision_task_id_index" on "task_decision" ("task_id");`);
    this.addSql(`create index "task_decision_outcome_index" on "task_decision" ("outcome");`);

    this.addSql(`alter table "filing" drop constraint if exists "filing_status_check";`);

    this.addSql(`alter table "human_task" drop constraint if exists "human_task_role_check";`);
    this.addSql(`alter table "human_task" drop constraint if exists "human_task_decision_check";`);

    this.addSql(
      `alter table "filing" add constraint "filing_status_check" check("status" in ('SUBMITTED', 'UNDER_REVIEW', 'ACTIVE', 'REJECTED', 'EXPIRED', 'CANCELLED', 'REVOKED', 'NEEDS_ATTENTION'));`,
    );

    // Decisions already taken move to the outbox table: undelivered ones stay pending, so none is lost.
    this.addSql(
      `insert into "task_decision" ("id", "task_id", "case_id", "workflow_id", "decision", "reason", "decided_by", "role", "decided_at", "outcome", "resolved_at") select "decision_id", "id", "case_id", "workflow_id", "decision", "reason", "decided_by", "role", "decided_at", case when "delivered_at" is null then 'pending' else 'accepted' end, "delivered_at" from "human_task" where "status" = 'decided' and "decision_id" is not null;`,
    );
    this.addSql(`alter table "human_task" drop column "delivered_at";`);

    this.addSql(
      `alter table "human_task" add column "case_type" text check ("case_type" in ('filing', 'referral')) not null default 'filing';`,
    );
    this.addSql(
      `alter table "human_task" add constraint "human_task_role_check" check("role" in ('staff', 'supervisor', 'coordinator'));`,
    );
    this.addSql(
      `alter table "human_task" add constraint "human_task_decision_check" check("decision" in ('approve', 'reject', 'more_info', 'retry'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "task_decision" cascade;`);

    this.addSql(`alter table "filing" drop constraint if exists "filing_status_check";`);

    this.addSql(`alter table "human_task" drop constraint if exists "human_task_role_check";`);
    this.addSql(`alter table "human_task" drop constraint if exists "human_task_decision_check";`);

    this.addSql(
      `alter table "filing" add constraint "filing_status_check" check("status" in ('SUBMITTED', 'UNDER_REVIEW', 'ACTIVE', 'REJECTED', 'EXPIRED', 'CANCELLED', 'REVOKED'));`,
    );

    this.addSql(`alter table "human_task" drop column "case_type";`);

    this.addSql(`alter table "human_task" add column "delivered_at" timestamptz(6) null;`);
    this.addSql(
      `alter table "human_task" add constraint "human_task_role_check" check("role" in ('staff', 'supervisor'));`,
    );
    this.addSql(
      `alter table "human_task" add constraint "human_task_decision_check" check("decision" in ('approve', 'reject', 'more_info'));`,
    );
  }
}
