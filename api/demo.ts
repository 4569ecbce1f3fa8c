/**
 * The demo scenario: a few cases in every state the screens show, made through the API's own code
 * (the citizen's filing store and workflow start, the staff claim and the recorded-then-delivered
 * decision), so each is a real workflow. Cases have fixed ids `filing-<psn_no>-demo-<n>`; a case whose
 * row exists is left alone, so seeding twice changes nothing. Dates count back from the seeding day.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
} from '@temporalio/client';
import {
  addDays,
  clearingWorkflowId,
  cstDate,
  type Decision,
  type FilingStatus,
  type ReferralStatus,
  WORKFLOW_TYPES,
} from '../cases';
import { advanceFundRows } from '../db/advance-funds';
import { DEMO_CLEARING_SETTLEMENTS, insertSettlements, removeClearingDemo } from '../db/clearing-demo';
import {
  CaseEvent,
  Filing,
  HumanTask,
  IdempotencyRecord,
  Referral,
  TaskDecision,
  User,
} from '../db/entities';
import { previousCstMonth } from '../settlement/clearing-statement';
import { authUserOf } from './auth/tokens';
import { filingInput, insuredPlace, storeFiling } from './citizen/routes';
import type { CaseDeps } from './context';
import { removeDemoFeeCheck, seedDemoFeeCheck } from './demo-fee-check';
import { DEMO_STAY_PERSON, removeDemoStay, seedDemoStay } from './demo-stay';
import { removeDemoTicket, seedDemoTicket } from './demo-ticket';
import { requestHash } from './idempotency';
import { HttpProblem } from './problem';
import { FilingCreate } from './schemas';
import { deliver, recordDecision } from './staff/decisions';
import { claimTask } from './staff/tasks';

const DAY_MS = 86_400_000;

export interface DemoCase {
  n: number;
  username: string;
  psn_no: string;
  /** What the case is, for the log and the README. */
  label: string;
  /** The citizen's form (as posted to `POST /filings`), given today's CST date. */
  form: (today: string) => Record<string, unknown>;
  /** Submitted this many days ago (`FilingInput.submitted_at`); absent: now. */
  days_ago?: number;
  /** A staff member claims the review task and decides it through the real decision path. */
  staff?: { username: string; decision: Decision; reason?: string };
  /** Where the case settles, as the screens list it. */
  expect: { status: FilingStatus; referral?: ReferralStatus; task?: 'open' | 'escalated' };
}

const referral = (place: string, hospital: string, diag_name: string, refl_hosp_name: string) => ({
  category: 'referral',
  mdtrtarea_admdvs: place,
  fixmedins_code: hospital,
  tel: '13800000001',
  referral: { refl_fil_type: '1', diag_name, refl_hosp_name, documents: ['转诊证明.pdf'] },
});

const ZHANGWEI = 'P34010000000001';
const LIXIUYING = 'P34010000000002';
const WANGFANG = 'P46000000000001';
const LIUYANG = 'P32030000000001';
const FUHAIYAN = DEMO_STAY_PERSON.psn_no;

export const DEMO_CASES: readonly DemoCase[] = [
  {
    n: 1,
    username: 'zhangwei',
    psn_no: ZHANGWEI,
    label: '张伟 转诊 成都 华西医院：待审核（staff-ah 待办）',
    form: (today) => ({
      ...referral('510100', 'H51010000001', '肺恶性肿瘤', '合肥市第一人民医院'),
      begndate: today,
    }),
    expect: { status: 'UNDER_REVIEW', referral: 'UNDER_REVIEW', task: 'open' },
  },
  {
    n: 2,
    username: 'zhangwei',
    psn_no: ZHANGWEI,
    label: '张伟 转诊 北京：staff-ah 认领并要求补充材料，等待参保人补充',
    form: (today) => ({
      ...referral('110000', 'H11000000001', '冠心病', '合肥市第一人民医院'),
      begndate: today,
    }),
    staff: { username: 'staff-ah', decision: 'more_info', reason: '请补充近三个月的检查报告' },
    expect: { status: 'UNDER_REVIEW', referral: 'MORE_INFO' },
  },
  {
    n: 3,
    username: 'zhangwei',
    psn_no: ZHANGWEI,
    label: '张伟 其他临时外出 深圳：有效期已过（已失效）',
    days_ago: 60,
    form: (today) => ({
      category: 'other_temporary',
      mdtrtarea_admdvs: '440300',
      fixmedins_code: null,
      begndate: addDays(today, -60),
      enddate: addDays(today, -30),
      tel: '13800000001',
    }),
    expect: { status: 'EXPIRED' },
  },
  {
    n: 1,
    username: 'lixiuying',
    psn_no: LIXIUYING,
    label: '李秀英 转诊 上海：十天前提交，审核超时，已转 super-ah 督办',
    days_ago: 10,
    form: (today) => ({
      ...referral('310000', 'H31000000001', '乳腺恶性肿瘤', '安徽医科大学第一附属医院'),
      begndate: addDays(today, -10),
      tel: '13800000002',
    }),
    expect: { status: 'UNDER_REVIEW', referral: 'UNDER_REVIEW', task: 'escalated' },
  },
  {
    n: 2,
    username: 'lixiuying',
    psn_no: LIXIUYING,
    label: '李秀英 异地长期居住 海南（承诺制）：已生效',
    days_ago: 20,
    form: (today) => ({
      category: 'long_term_residence',
      mdtrtarea_admdvs: '460000',
      fixmedins_code: null,
      begndate: addDays(today, -20),
      commitment: true,
      tel: '13800000002',
    }),
    expect: { status: 'ACTIVE' },
  },
  {
    n: 1,
    username: 'wangfang',
    psn_no: WANGFANG,
    label: '王芳 转诊 成都：staff-hi 审核通过，已生效',
    form: (today) => ({
      ...referral('510100', 'H51010000001', '肝恶性肿瘤', '海南省人民医院'),
      begndate: today,
      tel: '13800000003',
    }),
    staff: { username: 'staff-hi', decision: 'approve' },
    expect: { status: 'ACTIVE', referral: 'APPROVED' },
  },
  {
    n: 2,
    username: 'wangfang',
    psn_no: WANGFANG,
    label: '王芳 转诊 北京：staff-hi 审核不通过',
    form: (today) => ({
      ...referral('110000', 'H11000000001', '腰椎间盘突出', '海南省人民医院'),
      begndate: today,
      tel: '13800000003',
    }),
    staff: { username: 'staff-hi', decision: 'reject', reason: '本地医院可以诊治，不符合转诊条件' },
    expect: { status: 'REJECTED', referral: 'REJECTED' },
  },
  {
    n: 3,
    username: 'wangfang',
    psn_no: WANGFANG,
    label: '王芳 转诊 上海：十天前提交，审核超时，已转 super-hi 督办',
    days_ago: 10,
    form: (today) => ({
      ...referral('310000', 'H31000000001', '甲状腺恶性肿瘤', '海南省人民医院'),
      begndate: addDays(today, -10),
      tel: '13800000003',
    }),
    expect: { status: 'UNDER_REVIEW', referral: 'UNDER_REVIEW', task: 'escalated' },
  },
  {
    n: 4,
    username: 'wangfang',
    psn_no: WANGFANG,
    label: '王芳 转诊 深圳：待审核（staff-hi 待办）',
    form: (today) => ({
      ...referral('440300', 'H44030000001', '鼻咽恶性肿瘤', '海南省人民医院'),
      begndate: today,
      tel: '13800000003',
    }),
    expect: { status: 'UNDER_REVIEW', referral: 'UNDER_REVIEW', task: 'open' },
  },
  {
    n: 1,
    username: 'fuhaiyan',
    psn_no: FUHAIYAN,
    label:
      '符海燕 转诊 成都 华西医院（20 天前起）：staff-hi 审核通过；其住院已结算，待遇补差待 staff-hi 审核',
    form: (today) => ({
      ...referral('510100', 'H51010000001', '乳腺恶性肿瘤', '海南省人民医院'),
      begndate: addDays(today, -20),
      tel: '13800000005',
    }),
    staff: { username: 'staff-hi', decision: 'approve' },
    expect: { status: 'ACTIVE', referral: 'APPROVED' },
  },
  {
    n: 1,
    username: 'liuyang',
    psn_no: LIUYANG,
    label: '刘洋 急诊抢救 上海：视同已备案，有效',
    days_ago: 3,
    form: (today) => ({
      category: 'emergency',
      mdtrtarea_admdvs: '310000',
      fixmedins_code: 'H31000000001',
      begndate: addDays(today, -3),
      emergency_adm_date: addDays(today, -3),
      tel: '13800000004',
    }),
    expect: { status: 'ACTIVE' },
  },
  {
    n: 2,
    username: 'liuyang',
    psn_no: LIUYANG,
    label: '刘洋 异地安置退休 海南：已生效',
    days_ago: 30,
    form: (today) => ({
      category: 'retired_resettled',
      mdtrtarea_admdvs: '460000',
      fixmedins_code: null,
      begndate: addDays(today, -30),
      addr: '海南省三亚市吉阳区迎宾路 88 号',
      tel: '13800000004',
    }),
    expect: { status: 'ACTIVE' },
  },
];

export const demoCaseId = (c: Pick<DemoCase, 'psn_no' | 'n'>): string => `filing-${c.psn_no}-demo-${c.n}`;
export const DEMO_CASE_IDS: readonly string[] = DEMO_CASES.map(demoCaseId);

type Deps = Pick<CaseDeps, 'orm' | 'temporal' | 'taskQueue' | 'log'>;

/**
 * Seeds every demo case not seeded yet; returns the ids it created. A case the business guards refuse
 * (the citizen filed the same themself) is skipped with a line in the log, never a failed start.
 */
export async function seedDemo(deps: Deps, now = Date.now()): Promise<string[]> {
  const created: string[] = [];
  await seedClearingDemo(deps, now);
  for (const c of DEMO_CASES) {
    const id = demoCaseId(c);
    // The marker: a demo case's row. Its workflow outlives a restart once the devserver is durable.
    if (await deps.orm.em.fork().findOne(Filing, { id }, { fields: ['id'] })) {
      // A seeding stopped between filing and deciding finishes the staff step on the next start.
      if (c.staff && (await staffStepLeft(deps, id, c.staff.username)))
        await decideAsStaff(deps, id, c.staff);
      continue;
    }
    try {
      await fileDemoCase(deps, c, id, now);
      created.push(id);
    } catch (error) {
      if (!(error instanceof HttpProblem) || error.status !== 409) throw error;
      deps.log(`demo: ${id} skipped: ${error.detail ?? error.title}`);
    }
  }
  if (created.length > 0) deps.log(`demo: ${created.length} cases seeded (${created.join(', ')})`);
  // 问题协同: the seed story's open ticket, so the coordinators' board is not empty.
  await seedDemoTicket(deps, now);
  // The settled stay, once its covering referral (above) is ACTIVE.
  await seedDemoStay(deps, demoCaseId({ psn_no: FUHAIYAN, n: 1 }), now);
  // 费用协查: 海南 checks that stay (above the threshold); its batch frozen, awaiting 四川's answer.
  await seedDemoFeeCheck(deps);
  return created;
}

async function fileDemoCase(deps: Deps, c: DemoCase, id: string, now: number): Promise<void> {
  const em = deps.orm.em.fork();
  const user = await em.findOneOrFail(User, { username: c.username });
  const body = FilingCreate.parse(c.form(cstDate(now)));
  const submitted = c.days_ago ? new Date(now - c.days_ago * DAY_MS) : undefined;
  const { insuplc, prov_admdvs } = await insuredPlace(em, c.psn_no);
  await storeFiling(deps.orm, {
    body,
    psn_no: c.psn_no,
    insuplc,
    prov_admdvs,
    user_id: user.id,
    key: undefined,
    hash: requestHash(body),
    id,
    ...(submitted ? { created_at: submitted } : {}),
  });
  try {
    await deps.temporal.workflow.start(WORKFLOW_TYPES.filing, {
      workflowId: id,
      taskQueue: deps.taskQueue,
      args: [filingInput(id, c.psn_no, body, c.username, prov_admdvs, submitted?.toISOString())],
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  if (c.staff) await decideAsStaff(deps, id, c.staff);
}

/** Claims the case's review task and decides it as `POST /tasks/{id}/claim` and `/decision` do. */
async function decideAsStaff(deps: Deps, case_id: string, staff: NonNullable<DemoCase['staff']>) {
  const user = authUserOf(await deps.orm.em.fork().findOneOrFail(User, { username: staff.username }));
  const task = await openTask(deps, case_id);
  if (task.assignee !== user.username) await claimTask(deps.orm, user, task.id);
  const decision = await recordDecision(deps.orm, user, task.id, {
    decision: staff.decision,
    ...(staff.reason ? { reason: staff.reason } : {}),
  });
  const result = await deliver(deps.orm, deps.temporal, decision);
  if (result.outcome !== 'accepted')
    throw new Error(`demo: ${case_id} refused ${staff.decision}: ${result.code}`);
}

/** The staff step is left when no decision of theirs stands and the case's workflow still runs. */
async function staffStepLeft(deps: Deps, case_id: string, username: string): Promise<boolean> {
  const decided = await deps.orm.em
    .fork()
    .findOne(TaskDecision, { case_id, decided_by: username, outcome: { $in: ['accepted', 'pending'] } });
  if (decided) return false;
  try {
    const { status } = await deps.temporal.workflow.getHandle(case_id).describe();
    return status.name === 'RUNNING';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/** The review task the case's workflow opens (its first activity): waited for, up to a minute. */
async function openTask(deps: Deps, case_id: string): Promise<HumanTask> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const task = await deps.orm.em
      .fork()
      .findOne(HumanTask, { case_id, status: { $in: ['open', 'claimed'] } });
    if (task) return task;
    if (Date.now() > deadline) throw new Error(`demo: ${case_id} opened no review task within a minute`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Removes the demo cases — their workflows terminated first, so none writes its projection back —
 * then every row of theirs (filings, referrals, tasks, decisions, timeline, idempotency records).
 */
export async function removeDemo(deps: Deps): Promise<void> {
  await removeDemoFeeCheck(deps);
  await removeDemoStay(deps);
  for (const id of DEMO_CASE_IDS) {
    try {
      await deps.temporal.workflow.getHandle(id).terminate('demo reset');
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
  await removeDemoTicket(deps);
  const ids = [...DEMO_CASE_IDS];
  await deps.orm.em.fork().transactional(async (tx) => {
    await tx.nativeDelete(TaskDecision, { case_id: { $in: ids } });
    await tx.nativeDelete(HumanTask, { case_id: { $in: ids } });
    await tx.nativeDelete(CaseEvent, { case_id: { $in: ids } });
    await tx.nativeDelete(IdempotencyRecord, { case_id: { $in: ids } });
    await tx.nativeDelete(Referral, { filing_id: { $in: ids } });
    await tx.nativeDelete(Filing, { id: { $in: ids } });
  });
  deps.log(`demo: ${ids.length} demo cases removed`);
}

/** 清算 demo: last month's settlements across several province pairs, and its run (statements GENERATED). */
async function seedClearingDemo(deps: Deps, now: number): Promise<void> {
  const clr_month = previousCstMonth(now);
  await insertSettlements(deps.orm.em.getKnex(), clr_month, DEMO_CLEARING_SETTLEMENTS);
  try {
    await deps.temporal.workflow.start(WORKFLOW_TYPES.clearing, {
      workflowId: clearingWorkflowId(clr_month),
      taskQueue: deps.taskQueue,
      // After a reset the terminated run's id is taken again (the run row is gone with it).
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      args: [{ clr_month, requested_by: 'demo' }],
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

async function removeClearingDemoRun(deps: Deps, now: number): Promise<void> {
  const clr_month = previousCstMonth(now);
  try {
    await deps.temporal.workflow.getHandle(clearingWorkflowId(clr_month)).terminate('demo reset');
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  await removeClearingDemo(deps.orm.em.getKnex(), clr_month, advanceFundRows());
}

/** `npm run demo:reset`: the demo set removed and seeded afresh. */
export async function resetDemo(deps: Deps, now = Date.now()): Promise<string[]> {
  await removeDemo(deps);
  await removeClearingDemoRun(deps, now);
  return seedDemo(deps, now);
}
