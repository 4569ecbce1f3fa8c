import { Migration } from '@mikro-orm/migrations';

export class Migration20261123111001 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "policy_version" drop constraint "policy_version_admdvs_insutype_med_type_begndate_unique";`,
    );

    this.addSql(
      `alter table "policy_version" add column "policy_id" varchar(64) not null, add column "version" int not null, add column "hosp_lv" text[] not null, add column "psn_type" text[] not null;`,
    );
    this.addSql(
      `create index "policy_version_admdvs_insutype_med_type_index" on "policy_version" ("admdvs", "insutype", "med_type");`,
    );
    this.addSql(
      `alter table "policy_version" add constraint "policy_version_policy_id_version_unique" unique ("policy_id", "version");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "policy_version_admdvs_insutype_med_type_index";`);
    this.addSql(`alter table "policy_version" drop constraint "policy_version_policy_id_version_unique";`);
    this.addSql(
      `alter table "policy_version" drop column "policy_id", drop column "version", drop column "hosp_lv", drop column "psn_type";`,
    );

    this.addSql(
      `alter table "policy_version" add constraint "policy_version_admdvs_insutype_med_type_begndate_unique" unique ("admdvs", "insutype", "med_type", "begndate");`,
    );
  }
}
