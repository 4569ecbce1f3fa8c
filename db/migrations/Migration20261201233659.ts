import { Migration } from '@mikro-orm/migrations';

export class Migration20261201233659 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "case_document" ("id" uuid not null, "case_id" varchar(64) not null, "name" varchar(200) not null, "content_type" varchar(40) not null, "size" int not null, "sha256" varchar(64) not null, "content" bytea not null, "uploaded_by" varchar(64) not null, "created_at" timestamptz not null, constraint "case_document_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "case_document_case_id_index" on "case_document" ("case_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "case_document" cascade;`);
  }
}
