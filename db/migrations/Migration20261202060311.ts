import { Migration } from '@mikro-orm/migrations';

export class Migration20261202060311 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "hospital_message" ("id" serial primary key, "fixmedins_code" varchar(30) not null, "msgid" varchar(64) not null, "infno" varchar(4) not null, "request_hash" varchar(64) not null, "status" text check ("status" in ('pending', 'answered')) not null, "mdtrt_id" varchar(40) null, "psn_no" varchar(30) null, "infcode" int null, "answer" text null, "created_at" timestamptz not null, "claimed_at" timestamptz null, "answered_at" timestamptz null);`,
    );
    this.addSql(`create index "hospital_message_mdtrt_id_index" on "hospital_message" ("mdtrt_id");`);
    this.addSql(
      `alter table "hospital_message" add constraint "hospital_message_fixmedins_code_msgid_unique" unique ("fixmedins_code", "msgid");`,
    );
    this.addSql(
      `create unique index "hospital_message_admission_unique" on "hospital_message" ("mdtrt_id") where "infno" = '2401';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "hospital_message" cascade;`);
  }
}
