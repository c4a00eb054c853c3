import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Roles as the permission model needs them: every user holds at least one,
 * and a staff identity is never a customer's too (staff scopes and customer
 * scopes never meet in one token, so a staff token cannot move money).
 */
export class StaffRoles1766400000000 implements MigrationInterface {
  name = 'StaffRoles1766400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE identity.users ADD CONSTRAINT users_roles_not_empty CHECK (cardinality(roles) > 0)`);
    await q.query(`
      ALTER TABLE identity.users ADD CONSTRAINT users_staff_not_customer
        CHECK (NOT ('CUSTOMER' = ANY (roles) AND roles && ARRAY['SUPPORT', 'COMPLIANCE', 'ADMIN']::text[]))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE identity.users DROP CONSTRAINT users_staff_not_customer`);
    await q.query(`ALTER TABLE identity.users DROP CONSTRAINT users_roles_not_empty`);
  }
}
