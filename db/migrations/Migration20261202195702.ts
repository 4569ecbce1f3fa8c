import { Migration } from '@mikro-orm/migrations';

export class Migration20261202195702 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "filing_transmission" ("transmission_id" varchar(80) not null, "filing_id" varchar(64) not null, "ticket_id" varchar(64) not null, "target_admdvs" varchar(6) not null, "sent_by" varchar(64) not null, "sent_at" timestamptz not null, constraint "filing_transmission_pkey" primary key ("transmission_id"));`,
    );
    this.addSql(`create index "filing_transmission_filing_id_index" on "filing_transmission" ("filing_id");`);
    this.addSql(`create index "filing_transmission_ticket_id_index" on "filing_transmission" ("ticket_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "filing_transmission" cascade;`);
  }
}
