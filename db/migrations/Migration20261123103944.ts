import { Migration } from '@mikro-orm/migrations';

export class Migration20261123103944 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "admdvs" ("admdvs" varchar(6) not null, "admdvs_name" varchar(64) not null, "prov_admdvs" varchar(6) not null, constraint "admdvs_pkey" primary key ("admdvs"));`,
    );
    this.addSql(`create index "admdvs_prov_admdvs_index" on "admdvs" ("prov_admdvs");`);

    this.addSql(
      `create table "hospital" ("fixmedins_code" varchar(30) not null, "fixmedins_name" varchar(128) not null, "admdvs" varchar(6) not null, "hosp_lv" text check ("hosp_lv" in ('1', '2', '3')) not null, "network_status" text check ("network_status" in ('networked', 'suspended', 'not_networked')) not null, constraint "hospital_pkey" primary key ("fixmedins_code"));`,
    );

    this.addSql(
      `create table "insured_person" ("psn_no" varchar(30) not null, "psn_name" varchar(64) not null, "certno" varchar(18) not null, "gend" text check ("gend" in ('1', '2')) not null, "brdy" date not null, "insutype" text check ("insutype" in ('310', '320', '390')) not null, "psn_type" text check ("psn_type" in ('in_service', 'retired')) not null, "insuplc_admdvs" varchar(6) not null, "insu_status" text check ("insu_status" in ('active', 'suspended', 'terminated')) not null, constraint "insured_person_pkey" primary key ("psn_no"));`,
    );
    this.addSql(
      `alter table "insured_person" add constraint "insured_person_certno_unique" unique ("certno");`,
    );

    this.addSql(
      `create table "policy_version" ("id" serial primary key, "admdvs" varchar(6) not null, "insutype" varchar(3) not null, "med_type" varchar(4) not null, "begndate" date not null, "enddate" date null, "params" jsonb not null, "src" text not null);`,
    );
    this.addSql(
      `alter table "policy_version" add constraint "policy_version_admdvs_insutype_med_type_begndate_unique" unique ("admdvs", "insutype", "med_type", "begndate");`,
    );

    this.addSql(
      `create table "app_user" ("id" uuid not null, "username" varchar(64) not null, "display_name" varchar(64) not null, "role" text check ("role" in ('citizen', 'staff', 'supervisor', 'coordinator', 'hospital')) not null, "prov_admdvs" varchar(6) null, "psn_no" varchar(30) null, "fixmedins_code" varchar(30) null, "password_hash" text not null, "created_at" timestamptz not null, constraint "app_user_pkey" primary key ("id"), constraint app_user_scope_check check (((role = 'citizen'::text) AND (psn_no IS NOT NULL)) OR ((role = 'hospital'::text) AND (fixmedins_code IS NOT NULL)) OR ((role = ANY (ARRAY['staff'::text, 'supervisor'::text, 'coordinator'::text])) AND (prov_admdvs IS NOT NULL))));`,
    );
    this.addSql(`alter table "app_user" add constraint "app_user_username_unique" unique ("username");`);

    this.addSql(
      `alter table "hospital" add constraint "hospital_admdvs_foreign" foreign key ("admdvs") references "admdvs" ("admdvs") on update cascade;`,
    );

    this.addSql(
      `alter table "insured_person" add constraint "insured_person_insuplc_admdvs_foreign" foreign key ("insuplc_admdvs") references "admdvs" ("admdvs") on update cascade;`,
    );

    this.addSql(
      `alter table "policy_version" add constraint "policy_version_admdvs_foreign" foreign key ("admdvs") references "admdvs" ("admdvs") on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "hospital" drop constraint "hospital_admdvs_foreign";`);

    this.addSql(`alter table "insured_person" drop constraint "insured_person_insuplc_admdvs_foreign";`);

    this.addSql(`alter table "policy_version" drop constraint "policy_version_admdvs_foreign";`);

    this.addSql(`drop table if exists "admdvs" cascade;`);

    this.addSql(`drop table if exists "hospital" cascade;`);

    this.addSql(`drop table if exists "insured_person" cascade;`);

    this.addSql(`drop table if exists "policy_version" cascade;`);

    this.addSql(`drop table if exists "app_user" cascade;`);
  }
}
