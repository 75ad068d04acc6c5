/**
 * Strings of the audit console and the record charts, in Simplified Chinese and English. Kept apart
 * from i18n.ts (the verifier's strings) but following its pattern: typed keys, so no string can be
 * missing in one language, and the language the page chose (`lang()`).
 */
import { lang } from './i18n.js';

const STRINGS = {
  consoleTitle: { zh: '审计与记录', en: 'Audit and records' },
  consoleHint: {
    zh: '督导员查看学校在账本上的记录（内容、经办方、时间、状态）及其变更时间线；教职工查看继续教育学分与评估图表。',
    en: "Inspectors read a school's ledger records (what, who, when, status) with a timeline of their changes; staff see PD credit and evaluation charts.",
  },
  needsSignIn: { zh: '请先登录（督导员或教职工）。', en: 'Sign in first (inspector or staff).' },
  school: { zh: '学校', en: 'School' },
  kind: { zh: '记录类别', en: 'Record kind' },
  status: { zh: '状态', en: 'Status' },
  from: { zh: '起始日期', en: 'From' },
  until: { zh: '截止日期', en: 'Until' },
  all: { zh: '全部', en: 'All' },
  perPage: { zh: '每页条数（每类）', en: 'Per page (per kind)' },
  show: { zh: '查看', en: 'Show' },
  loadMore: { zh: '加载下一页', en: 'Load next page' },
  loadAll: { zh: '加载到最后', en: 'Load to the end' },
  loading: { zh: '加载中…', en: 'Loading…' },
  exportCsv: { zh: '导出 CSV', en: 'Download CSV' },
  csvScope: {
    zh: 'CSV 包含当前显示的 {shown} 条记录（已加载 {loaded} 条中符合筛选条件的），每个版本一行。',
    en: 'The CSV holds the {shown} records shown (those of the {loaded} loaded so far that match the filters), one row per version.',
  },
  pagesLeft: {
    zh: '还有更多记录未加载；筛选和导出只针对已加载的记录。',
    en: 'More records are not loaded yet; filters and the download cover loaded records only.',
  },
  allLoaded: { zh: '已加载全部记录。', en: 'Every record is loaded.' },
  shownCount: { zh: '显示 {shown} / 已加载 {loaded} 条。', en: '{shown} shown of {loaded} loaded.' },
  noRecords: { zh: '没有符合条件的记录。', en: 'No records match.' },
  what: { zh: '内容', en: 'What' },
  who: { zh: '经办方', en: 'Who' },
  when: { zh: '时间', en: 'When' },
  timeline: { zh: '变更时间线', en: 'Timeline of changes' },
  versionN: { zh: '第 {n} 版', en: 'Version {n}' },
  created: { zh: '创建', en: 'Created' },
  noChange: { zh: '与上一版相同', en: 'Same as the version before' },
  transaction: { zh: '交易', en: 'Transaction' },
  field: { zh: '字段', en: 'Field' },
  before: { zh: '原值', en: 'Before' },
  after: { zh: '新值', en: 'After' },
  empty: { zh: '（无）', en: '(none)' },
  chainOk: { zh: '账本链校验通过：{height} 个区块。', en: 'Ledger chain check passed: {height} blocks.' },
  chainBad: { zh: '账本链校验未通过：{n} 个问题。', en: 'Ledger chain check failed: {n} problems.' },
  overdueTitle: { zh: '逾期整改项', en: 'Overdue corrective actions' },
  noOverdue: { zh: '没有逾期整改项。', en: 'No overdue corrective actions.' },
  deadline: { zh: '期限', en: 'Deadline' },
  kind_organization: { zh: '机构', en: 'Organisation' },
  kind_accreditation: { zh: '发证资质', en: 'Accreditation' },
  kind_key: { zh: '签名密钥', en: 'Signing key' },
  kind_credential: { zh: '凭证存证', en: 'Credential anchor' },
  kind_inspection: { zh: '督导', en: 'Inspection' },
  kind_evaluation: { zh: '评估', en: 'Evaluation' },
  status_registered: { zh: '已登记', en: 'Registered' },
  status_active: { zh: '有效', en: 'Active' },
  status_suspended: { zh: '已暂停', en: 'Suspended' },
  status_expired: { zh: '已过期', en: 'Expired' },
  status_revoked: { zh: '已撤销', en: 'Revoked' },
  status_planned: { zh: '已计划', en: 'Planned' },
  'status_actions-required': { zh: '待整改', en: 'Actions required' },
  status_responded: { zh: '已回复', en: 'Responded' },
  status_reinspected: { zh: '已复查', en: 'Re-inspected' },
  status_closed: { zh: '已结束', en: 'Closed' },
  status_self: { zh: '学校自评', en: 'Self-evaluation' },
  status_external: { zh: '外部评估', en: 'External evaluation' },

  // Charts
  chartsTitle: { zh: '图表', en: 'Charts' },
  tableAlt: { zh: '图表数据（表格）', en: 'Chart data (table)' },
  pdTitle: { zh: '继续教育学分进度', en: 'PD credit progress' },
  pdHint: {
    zh: '输入教师的主体编号（subj-…），查看本周期各类学分（计入上限）与周期要求。',
    en: "Enter the teacher's subject id (subj-…) to see this cycle's credits per activity kind against caps and the requirement.",
  },
  teacherId: { zh: '教师主体编号', en: 'Teacher subject id' },
  pdProgress: {
    zh: '已计入 {total} / 要求 {required} {unit}（{pct}%），周期 {from} 至 {until}，待确认 {pending} 项。',
    en: 'Counted {total} of {required} {unit} required ({pct}%), cycle {from} to {until}; {pending} awaiting confirmation.',
  },
  activityKind: { zh: '活动类别', en: 'Activity kind' },
  earned: { zh: '已获得', en: 'Earned' },
  counted: { zh: '计入', en: 'Counted' },
  cap: { zh: '上限', en: 'Cap' },
  required: { zh: '周期要求', en: 'Cycle requirement' },
  evalTitle: { zh: '自评与外部评估对比', en: 'Self versus external evaluation' },
  evalHint: {
    zh: '各指标得分（占满分百分比），按评估周期。',
    en: 'Score per indicator (percent of the maximum), by evaluation period.',
  },
  period: { zh: '评估周期', en: 'Period' },
  indicator: { zh: '指标', en: 'Indicator' },
  selfScore: { zh: '自评', en: 'Self' },
  externalScore: { zh: '外评', en: 'External' },
  noEvaluations: { zh: '该校还没有评估记录。', en: 'No evaluations for this school yet.' },
  inspTitle: { zh: '各校督导得分与逾期整改', en: 'Inspection scores and overdue actions by school' },
  inspHint: {
    zh: '每所学校最近一次督导的平均得分（占满分百分比）与当前逾期整改项数。',
    en: "Each school's latest inspection score (average percent of the maximum) and its overdue corrective actions now.",
  },
  latestScore: { zh: '最近督导得分 %', en: 'Latest inspection score %' },
  overdueCount: { zh: '逾期整改项', en: 'Overdue actions' },
  inspections: { zh: '督导次数', en: 'Inspections' },
  notVisited: { zh: '未督导', en: 'not inspected' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type RecordsKey = keyof typeof STRINGS;

/** The string for `key` in the page's language, `{name}` placeholders filled in. */
export function rt(key: RecordsKey, vars: Record<string, string | number> = {}): string {
  return STRINGS[key][lang()].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** For keys built from data (kinds, statuses): the string if there is one, else the raw value. */
export function rtOr(key: string, fallback: string): string {
  return key in STRINGS ? rt(key as RecordsKey) : fallback;
}

/** A bilingual label from the ledger, in the page's language. */
export function localised(value: { zh: string; en: string } | undefined, fallback: string): string {
  if (!value) return fallback;
  return (lang() === 'zh' ? value.zh : value.en) || value.zh || value.en || fallback;
}
