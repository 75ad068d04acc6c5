/**
 * `npm run demo`: one scenario across the four record systems, over the real HTTP API of a gateway
 * started here on DATA_DIR (seeded on first use). Prints every step and the id of every credential.
 * Ids carry a random suffix, so the demo can run again on the same data.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { EmbeddedLedger } from '@edu-ledger/ledger-embedded';
import { createApp } from '../app.js';
import { createLogger } from '../logger.js';
import { createServices } from '../services/index.js';
import { GatewayDb } from '../stores/gateway-db.js';
import { loadConfig } from '../config.js';
import { loadMasterKey } from '../master-key.js';
import { isSeeded, seedDemo } from '../seed.js';

const run = randomBytes(3).toString('hex');
let stepNo = 0;

function say(zh: string, en: string, detail?: string): void {
  stepNo += 1;
  console.log(`${String(stepNo).padStart(2)}. ${zh} / ${en}${detail ? `\n    ${detail}` : ''}`);
}

async function main(): Promise<void> {
  const dataDir = resolve(process.env['DATA_DIR'] ?? './data');
  mkdirSync(dataDir, { recursive: true });
  let ledger: EmbeddedLedger;
  try {
    ledger = await EmbeddedLedger.open({ path: join(dataDir, 'ledger') });
  } catch {
    console.error(
      '账本正被运行中的网关占用，请先停止网关 / The ledger is in use by a running gateway: stop it first.',
    );
    process.exit(2);
  }
  const db = await GatewayDb.open(join(dataDir, 'gateway'));
  const services = createServices({
    ledger,
    db,
    // The same key the gateway uses on this DATA_DIR, configured or generated.
    masterKey: loadMasterKey(loadConfig().EDU_MASTER_KEY, dataDir),
    readerIdentity: await ledger.identity('BureauMSP', 'gateway-reader', 'client'),
    publicUrl: process.env['PUBLIC_URL'] ?? 'http://localhost:8080',
  });
  if (!(await isSeeded(services))) {
    await seedDemo(services, {
      dataDir,
      didHost: process.env['DID_WEB_HOST'] ?? 'edu.example.cn',
      now: new Date(),
    });
  }
  const tokens = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as Record<
    string,
    string
  >;
  const server = createApp({
    services,
    logger: createLogger('silent'),
    publicUrl: 'http://127.0.0.1',
  }).listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const call = async (
    method: string,
    path: string,
    who: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[who] ?? ''}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 400) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const credentialId = (r: Record<string, unknown>): string =>
    String((r['verifiableCredential'] as { id?: string } | undefined)?.id);

  try {
    const student = await didKeyFromSeed(randomBytes(32));
    const teacherDid = (await didKeyFromSeed(randomBytes(32))).did;
    const digits = String(Date.now()).slice(-8);

    // 1. Student growth archive
    const { subjectId } = (await call('POST', '/subjects', 'school-admin@school-gen', {
      name: '演示学生',
      idNumber: `3101012009${digits}`,
      studentNumber: `G3101012009${digits}`,
      birthDate: '2009-09-01',
      did: student.did,
    })) as { subjectId: string };
    say(
      '登记学生（个人信息加密存入保险库）',
      'Register a student (personal data sealed in the vault)',
      `subjectId ${subjectId}`,
    );
    await call('POST', '/archives', 'school-admin@school-gen', {
      subjectId,
      dimensionSetId: 'five-dimensions-a',
    });
    say('建立成长档案', 'Open the growth archive', 'dimension set five-dimensions-a');
    for (const [i, [dimensionId, text]] of [
      ['academic', '期中数学测评优秀 Excellent in the mid-term mathematics assessment'],
      ['social-practice', '参加社区志愿服务 20 小时 20 hours of community volunteering'],
      ['arts', '校合唱团成员 Member of the school choir'],
    ].entries()) {
      await call('POST', `/archives/${subjectId}/entries`, 'teacher@school-gen', {
        entryId: `demo-${run}-${i}`,
        term: '2026-S1',
        dimensionId,
        content: { text },
      });
      say('班主任记录成长条目', 'Class teacher records a growth entry', `${dimensionId}: ${text}`);
    }
    const report = await call('POST', `/archives/${subjectId}/reports`, 'school-admin@school-gen', {
      term: '2026-S1',
    });
    say('签发学期成长报告凭证', 'Issue the term report credential', `credential ${credentialId(report)}`);

    // 2. Teacher professional development
    const { subjectId: teacherId } = (await call('POST', '/subjects', 'school-admin@school-gen', {
      kind: 'teacher',
      name: '演示教师',
      idNumber: `3101011985${digits}`,
      studentNumber: `T3101011985${digits}`,
      birthDate: '1985-03-01',
      did: teacherDid,
    })) as { subjectId: string };
    say('登记教师', 'Register a teacher (personal data sealed in the vault)', `subjectId ${teacherId}`);
    await call('POST', '/pd/completions', 'provider-admin@provider', {
      completionId: `pd-${run}`,
      teacherId,
      schoolId: 'school-gen',
      activityKind: 'centralised',
      title: { zh: '新课标教学设计集中培训', en: 'Curriculum standards training' },
      hours: 40,
      completedOn: new Date(Date.now() - 86_400_000).toISOString(),
    });
    say(
      '培训机构登记教师继续教育完成记录',
      'Provider records a PD completion',
      '40 学时 / hours, centralised',
    );
    await call('POST', `/pd/completions/${teacherId}/pd-${run}/decision`, 'school-admin@school-gen', {
      confirm: true,
    });
    say('学校确认，学分生效', "The teacher's school confirms; credits accrue");
    const progress = await call('GET', `/pd/teachers/${teacherId}/progress`, 'school-admin@school-gen');
    say(
      '查询本周期学分进度',
      'Cycle progress',
      `${String(progress['total'])} / ${String(progress['required'])} ${String(progress['creditUnit'])}`,
    );
    const pdCredential = await call(
      'POST',
      `/pd/completions/${teacherId}/pd-${run}/credential`,
      'provider-admin@provider',
      {
        holderDid: teacherDid,
      },
    );
    say('签发继续教育学分凭证', 'Issue the PD credit credential', `credential ${credentialId(pdCredential)}`);

    // 3. Inspection
    const inspectionId = `insp-${run}`;
    await call('POST', '/inspections', 'inspector@bureau', {
      inspectionId,
      schoolId: 'school-gen',
      indicatorSystem: 'smart-campus',
      title: { zh: '智慧校园专项督导', en: 'Smart campus inspection' },
      plannedFor: new Date().toISOString(),
    });
    say('督导员制定督导计划', 'Inspector plans an inspection', inspectionId);
    await call('POST', `/inspections/${inspectionId}/visit`, 'inspector@bureau', {
      scores: [{ indicator: 'network', score: 8, maxScore: 10 }],
      findings: '网络安全制度需完善 Network security rules need work',
      actions: [
        {
          actionId: 'a1',
          description: '完善网络安全制度',
          deadline: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        },
      ],
    });
    say('实地督导，提出整改要求', 'Visit with scores and a corrective action');
    await call('POST', `/inspections/${inspectionId}/response`, 'school-admin@school-gen', {
      responses: [{ actionId: 'a1', note: '已修订制度', evidenceDigests: ['ab'.repeat(32)] }],
    });
    say('学校提交整改报告（证据摘要）', 'School responds with evidence digests');
    await call('POST', `/inspections/${inspectionId}/reinspection`, 'inspector@bureau', {
      passed: true,
      notes: '整改到位',
    });
    await call('POST', `/inspections/${inspectionId}/close`, 'inspector@bureau', { notes: '督导结束' });
    say('复查通过，督导关闭', 'Re-inspection passed; inspection closed');

    // 4. Credit bank
    const vocCourse = `cnc-${run}`;
    const genCourse = `tech-${run}`;
    await call('POST', '/courses', 'school-admin@school-voc', {
      courseId: vocCourse,
      title: { zh: '数控加工基础（线上）', en: 'CNC basics (online)' },
      credits: 2,
      delivery: 'online',
    });
    await call('POST', '/courses', 'school-admin@school-gen', {
      courseId: genCourse,
      title: { zh: '通用技术', en: 'General technology' },
      credits: 2,
      delivery: 'offline',
    });
    say('两校发布课程目录', 'Both schools publish catalogue courses', `${vocCourse} -> ${genCourse}`);
    const agreementId = `agr-${run}`;
    await call('POST', '/agreements', 'school-admin@school-voc', {
      agreementId,
      partnerOrgId: 'school-gen',
      mappings: [
        { fromOrg: 'school-voc', fromCourse: vocCourse, toOrg: 'school-gen', toCourse: genCourse, ratio: 1 },
      ],
      capPerLearner: 10,
      validFrom: new Date(Date.now() - 86_400_000).toISOString(),
      validUntil: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    });
    await call('POST', `/agreements/${agreementId}/approve`, 'school-admin@school-gen');
    say(
      '职高提出、普高批准学分互认协议',
      'Vocational school proposes, general high school approves the agreement',
      agreementId,
    );
    await call('POST', '/credit-bank/credits', 'teacher@school-voc', {
      creditId: `cr-${run}`,
      learnerId: subjectId,
      courseId: vocCourse,
      credits: 2,
      term: '2026-S1',
    });
    say('职高记录学生所得学分', 'Vocational school records the earned credit');
    await call('POST', '/credit-bank/recognitions', 'school-admin@school-voc', {
      recognitionId: `rec-${run}`,
      learnerId: subjectId,
      creditId: `cr-${run}`,
      toOrg: 'school-gen',
      agreementId,
    });
    await call('POST', `/credit-bank/recognitions/rec-${run}/decision`, 'school-admin@school-gen', {
      learnerId: subjectId,
      approve: true,
    });
    say('普高认定该学分', 'General high school recognises the credit');
    const transfer = await call(
      'POST',
      `/credit-bank/recognitions/rec-${run}/credential`,
      'school-admin@school-gen',
      {
        learnerId: subjectId,
        holderDid: student.did,
      },
    );
    say('签发学分互认凭证', 'Issue the credit transfer credential', `credential ${credentialId(transfer)}`);

    const chain = await ledger.verifyChain();
    say('校验账本哈希链', 'Verify the ledger hash chain', `ok=${String(chain.ok)}, ${chain.height} blocks`);
  } finally {
    server.close();
    await ledger.close();
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
