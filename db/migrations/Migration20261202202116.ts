import { Migration } from '@mikro-orm/migrations';

export class Migration20261202202116 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "clearing_reconcile_action" ("id" bigserial primary key, "action_id" varchar(200) not null, "clr_month" varchar(7) not null, "pair_id" varchar(13) not null, "action" varchar(16) not null, "amount" bigint not null, "reference" varchar(100) null, "acted_by" varchar(64) not null, "acted_at" timestamptz not null, "reconciled" boolean not null, "problem" text null);`,
    );
    this.addSql(
      `alter table "clearing_reconcile_action" add constraint "clearing_reconcile_action_action_id_unique" unique ("action_id");`,
    );
    this.addSql(
      `create index "clearing_reconcile_action_clr_month_pair_id_index" on "clearing_reconcile_action" ("clr_month", "pair_id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "clearing_reconcile_action" cascade;`);
  }
}
