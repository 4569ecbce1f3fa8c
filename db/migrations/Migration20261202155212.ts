import { Migration } from '@mikro-orm/migrations';

export class Migration20261202155212 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "person_identity" ("id" bigserial primary key, "psn_no" varchar(30) not null, "psn_idet_type" varchar(6) not null, "psn_type_lv" varchar(6) not null, "memo" varchar(200) not null, "begntime" date not null, "endtime" date null);`,
    );
    this.addSql(`create index "person_identity_psn_no_index" on "person_identity" ("psn_no");`);
    this.addSql(
      `alter table "person_identity" add constraint "person_identity_psn_no_psn_idet_type_begntime_unique" unique ("psn_no", "psn_idet_type", "begntime");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "person_identity" cascade;`);
  }
}
