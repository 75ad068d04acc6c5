/**
 * Every string the page shows, in Simplified Chinese and English. Keys are typed, so a string
 * used in the UI cannot be missing in one language.
 */
export type Lang = 'zh' | 'en';

const STRINGS = {
  appTitle: { zh: '教育凭证核验', en: 'Education credential verifier' },
  appSubtitle: {
    zh: '核验学历、学分与成长记录凭证，并对照账本检查',
    en: 'Check diplomas, credits and growth records against the ledger',
  },
  language: { zh: '语言', en: 'Language' },
  skipToContent: { zh: '跳到主要内容', en: 'Skip to content' },
  switchLanguage: { zh: 'English', en: '中文' },
  switchLanguageLabel: { zh: 'Switch to English', en: '切换到中文' },
  navVerify: { zh: '核验凭证', en: 'Verify' },
  navRequest: { zh: '发起核验请求', en: 'Request' },
  navAudit: { zh: '审计台', en: 'Audit' },
  mainNav: { zh: '主要功能', en: 'Main sections' },
  settings: { zh: '设置', en: 'Settings' },
  gatewayUrl: { zh: '网关地址（留空则为本站）', en: 'Gateway URL (empty: this site)' },
  save: { zh: '保存', en: 'Save' },
  saved: { zh: '已保存', en: 'Saved' },

  // Sign-in
  signInTitle: { zh: '登录', en: 'Sign in' },
  signInHint: {
    zh: '粘贴机构发给您的访问令牌（核验方或督导员）。令牌只保存在本浏览器标签页中。',
    en: 'Paste the access token your organisation gave you (verifier or inspector). It is kept in this browser tab only.',
  },
  token: { zh: '访问令牌', en: 'Access token' },
  signIn: { zh: '登录', en: 'Sign in' },
  signOut: { zh: '退出登录', en: 'Sign out' },
  signedIn: { zh: '已登录', en: 'Signed in' },

  // Verify input
  verifyTitle: { zh: '核验一份凭证或出示', en: 'Verify a credential or presentation' },
  verifyHint: {
    zh: '粘贴凭证 JSON、JWT 或链接；也可以选择文件、拖入文件，或扫描二维码。',
    en: 'Paste the credential JSON, a JWT or a link; or choose or drop a file, or scan a QR code.',
  },
  inputLabel: { zh: '凭证、出示、JWT 或链接', en: 'Credential, presentation, JWT or link' },
  verifyButton: { zh: '核验', en: 'Verify' },
  chooseFile: {
    zh: '选择或拖入文件（JSON、文本或二维码图片）',
    en: 'Choose or drop a file (JSON, text or QR image)',
  },
  scanCamera: { zh: '用摄像头扫码', en: 'Scan with camera' },
  stopCamera: { zh: '停止扫码', en: 'Stop scanning' },
  cameraVideo: { zh: '摄像头画面', en: 'Camera view' },
  cameraError: { zh: '无法打开摄像头：{msg}', en: 'Cannot open the camera: {msg}' },
  qrNotFound: { zh: '图片中没有找到二维码。', en: 'No QR code found in the image.' },
  unrecognised: {
    zh: '无法识别：请提供凭证 JSON、出示 JSON、JWT 或核验链接。',
    en: 'Not recognised: give a credential or presentation JSON, a JWT or a verification link.',
  },
  badJson: { zh: '不是有效的 JSON：{msg}', en: 'Not valid JSON: {msg}' },
  checking: { zh: '正在核验…', en: 'Checking…' },
  challengeLabel: { zh: '挑战值（challenge）', en: 'Challenge' },
  domainLabel: { zh: '域（domain）', en: 'Domain' },
  presentationOptionsHint: {
    zh: '出示须针对您给出的挑战值和域签名。此处预填的是出示自带的值：只能证明持有人签了名，不能证明是为您所签。',
    en: 'A presentation must be signed for the challenge and domain you gave. These are prefilled from the presentation itself: that proves the holder signed, not that it was made for you.',
  },

  // Verdicts
  verdictValid: { zh: '有效', en: 'Valid' },
  verdictInvalid: { zh: '无效', en: 'Invalid' },
  verdictUnknown: { zh: '无法核验', en: 'Cannot be checked' },
  verdictUntrusted: { zh: '真实，但签发者不在本名录', en: 'Genuine, but the issuer is not in this registry' },
  verdictUntrustedText: {
    zh: '凭证签名有效、未被改动、未被撤销且在有效期内，但签发机构不是本账本登记并认证的机构。是否采信由您决定。',
    en: 'The signature is valid, the credential is unchanged, not revoked and in force, but its issuer is not an organisation this ledger registers and accredits. Whether to rely on it is your decision.',
  },
  verdictValidText: {
    zh: '所有检查均通过：凭证真实、未被改动、已在账本存证且当前有效。',
    en: 'Every check passed: the credential is genuine, unchanged, anchored on the ledger and in force.',
  },
  verdictInvalidText: {
    zh: '至少一项检查未通过，请勿采信。见下方原因。',
    en: 'At least one check failed: do not rely on it. The reasons are below.',
  },
  verdictUnknownText: {
    zh: '部分检查无法完成，暂不能判断。',
    en: 'Some checks could not be done, so no verdict can be given.',
  },
  gatewayError: {
    zh: '{msg}（网关答复 {status} {code}）',
    en: '{msg} (the gateway answered {status} {code})',
  },
  networkError: { zh: '无法连接网关：{msg}', en: 'Cannot reach the gateway: {msg}' },
  stepsTitle: { zh: '检查步骤', en: 'Checks' },
  presentationStepsTitle: { zh: '出示的检查', en: 'Presentation checks' },
  credentialNumber: { zh: '第 {n} 份凭证', en: 'Credential {n}' },
  technical: { zh: '技术细节', en: 'Technical detail' },
  statusValid: { zh: '通过', en: 'passed' },
  statusInvalid: { zh: '未通过', en: 'failed' },
  statusNotChecked: { zh: '未检查', en: 'not checked' },

  // Check names
  check_format: { zh: '格式', en: 'Format' },
  check_signature: { zh: '数字签名', en: 'Signature' },
  'check_issuer-accredited': { zh: '签发机构资质', en: 'Issuer accredited' },
  'check_key-valid': { zh: '签名密钥', en: 'Signing key' },
  check_anchored: { zh: '账本存证', en: 'Anchored on the ledger' },
  check_status: { zh: '撤销 / 暂停状态', en: 'Revocation / suspension' },
  'check_validity-period': { zh: '有效期', en: 'Validity period' },
  check_challenge: { zh: '挑战值与域', en: 'Challenge and domain' },
  'check_holder-binding': { zh: '持有人绑定', en: 'Holder binding' },

  // Plain-word explanations
  formatValid: { zh: '格式符合 W3C 可验证凭证标准。', en: 'It is a well-formed W3C verifiable credential.' },
  formatInvalid: {
    zh: '不是本系统可核验的凭证格式。',
    en: 'It is not a credential in a form this verifier can check.',
  },
  signatureValid: {
    zh: '签名有效：自签发以来内容未被改动。',
    en: 'The signature is valid: nothing has changed since it was signed.',
  },
  signatureInvalid: {
    zh: '签名不符：凭证在签发后被改动过，或并非由所称机构签署。',
    en: 'The signature does not match: the credential was changed after signing, or was not signed by the stated issuer.',
  },
  accreditedValid: {
    zh: '{org} 在签发时具备签发此类凭证的资质。',
    en: '{org} was accredited to issue this kind of credential when it did.',
  },
  accreditedInvalid: {
    zh: '签发机构未登记，或签发时不具备此类凭证的签发资质。',
    en: 'The issuer is not registered, or was not accredited for this kind of credential at the time.',
  },
  keyValid: {
    zh: '签名所用密钥属于签发机构，且签名时有效。',
    en: 'The signing key belongs to the issuer and was valid when it signed.',
  },
  keyInvalid: {
    zh: '签名密钥不属于签发机构，或签名时已失效。',
    en: "The signing key is not the issuer's, or was not valid when it signed.",
  },
  anchoredValid: {
    zh: '已在账本第 {block} 区块存证（交易 {tx}）。',
    en: 'Anchored on the ledger in block {block} (transaction {tx}).',
  },
  anchoredInvalid: {
    zh: '账本上没有与这份凭证完全一致的存证记录。',
    en: 'The ledger holds no record matching this exact credential.',
  },
  statusActive: { zh: '未被撤销或暂停。', en: 'Not revoked or suspended.' },
  statusRevoked: {
    zh: '已于 {since} 被撤销（原因：{reason}）。',
    en: 'Revoked on {since} (reason: {reason}).',
  },
  statusSuspended: {
    zh: '已于 {since} 被暂停（原因：{reason}）。',
    en: 'Suspended on {since} (reason: {reason}).',
  },
  statusInvalidOther: { zh: '状态记录与凭证不符。', en: 'The status record does not match the credential.' },
  validityValid: { zh: '在有效期内。', en: 'Within its validity period.' },
  validityInvalid: {
    zh: '不在有效期内（尚未生效或已过期）。',
    en: 'Outside its validity period (not yet valid or expired).',
  },
  challengeValid: {
    zh: '出示是针对挑战值 {challenge} 和域 {domain} 签名的。',
    en: 'The presentation was signed for challenge {challenge} and domain {domain}.',
  },
  challengeInvalid: {
    zh: '出示不是为这次核验签名的（挑战值或域不符），可能是重放。',
    en: 'The presentation was not signed for this verification (challenge or domain differ): it may be a replay.',
  },
  holderValid: {
    zh: '出示由持有人签名，且持有人就是每份凭证的主体。',
    en: 'The holder signed the presentation and is the subject of every credential in it.',
  },
  holderInvalid: {
    zh: '出示不是由凭证主体本人签名的。',
    en: 'The presentation was not signed by the subject of the credentials.',
  },
  notChecked: {
    zh: '未检查：前面的检查未通过，或缺少所需信息。',
    en: 'Not checked: an earlier check failed or information is missing.',
  },

  reason_issued: { zh: '签发', en: 'issued' },
  'reason_issued-in-error': { zh: '误发', en: 'issued in error' },
  reason_superseded: { zh: '已被替代', en: 'superseded' },
  reason_fraud: { zh: '欺诈', en: 'fraud' },
  'reason_holder-request': { zh: '持有人申请', en: "holder's request" },
  'reason_under-review': { zh: '审查中', en: 'under review' },
  reason_disciplinary: { zh: '纪律处分', en: 'disciplinary' },
  reason_reinstated: { zh: '已恢复', en: 'reinstated' },
  reason_other: { zh: '其他', en: 'other' },

  // Credential rendering
  credentialTitle: { zh: '凭证内容', en: 'The credential' },
  issuedBy: { zh: '签发机构', en: 'Issued by' },
  issuedOn: { zh: '签发日期', en: 'Issued on' },
  validUntil: { zh: '有效期至', en: 'Valid until' },
  credentialId: { zh: '凭证编号', en: 'Credential id' },
  holderId: { zh: '持有人标识', en: 'Holder' },
  achievement: { zh: '成就', en: 'Achievement' },
  criteria: { zh: '获得条件', en: 'Criteria' },
  credits: { zh: '学分', en: 'Credits' },
  creditsValue: { zh: '{n} {unit}', en: '{n} {unit}' },
  defaultCreditUnit: { zh: '学分', en: 'credits' },
  dimensions: { zh: '成长维度', en: 'Growth dimensions' },
  otherFields: { zh: '其他信息', en: 'Other details' },
  credentialType: { zh: '凭证类型', en: 'Type' },
  field_term: { zh: '学期', en: 'Term' },
  field_schoolCode: { zh: '学校代码', en: 'School code' },
  field_dimension: { zh: '维度', en: 'Dimension' },
  field_indicator: { zh: '指标', en: 'Indicator' },
  field_hours: { zh: '学时', en: 'Hours' },
  field_activityKind: { zh: '活动类型', en: 'Activity' },
  field_pseudonymousSubjectId: { zh: '假名编号', en: 'Pseudonymous id' },
  field_name: { zh: '名称', en: 'Name' },
  field_description: { zh: '说明', en: 'Description' },
  field_score: { zh: '得分', en: 'Score' },
  field_level: { zh: '等级', en: 'Level' },
  field_comment: { zh: '评语', en: 'Comment' },
  field_creditsAvailable: { zh: '可得学分', en: 'Credits available' },
  jwtNotice: {
    zh: '这是 JWT 形式的凭证：内容如下，但本核验服务只接受 JSON-LD 形式。',
    en: 'This is a JWT credential: its content is shown, but this verifier checks the JSON-LD form only.',
  },

  // Receipt
  receiptTitle: { zh: '核验回执', en: 'Verification receipt' },
  makeReceipt: { zh: '生成核验回执', en: 'Get a verification receipt' },
  receiptNeedsSignIn: {
    zh: '核验方登录后可生成由本机构签名的核验回执。',
    en: 'Sign in as a verifier to get a receipt signed by your organisation.',
  },
  receiptMade: {
    zh: '回执已由 {org} 签名。网关重新核验的结论：{verdict}。',
    en: 'Receipt signed by {org}. The gateway verified again and found: {verdict}.',
  },
  receiptDiffers: {
    zh: '注意：网关重新核验的结论与本页显示的不同，回执以网关结论为准。',
    en: 'Note: the gateway’s fresh verification differs from what this page showed; the receipt records the gateway’s.',
  },
  downloadJson: { zh: '下载 JSON', en: 'Download JSON' },
  print: { zh: '打印', en: 'Print' },
  receiptId: { zh: '回执编号', en: 'Receipt id' },
  receiptFor: { zh: '所核验凭证', en: 'Credential verified' },
  receiptDigest: { zh: '凭证摘要（SHA-256）', en: 'Credential digest (SHA-256)' },
  receiptTime: { zh: '核验时间', en: 'Verified at' },
  receiptIssuer: { zh: '核验机构', en: 'Verified by' },
  receiptResult: { zh: '结论', en: 'Result' },

  // Verification request
  requestTitle: { zh: '请持有人出示凭证', en: 'Ask a holder to present credentials' },
  requestHint: {
    zh: '生成一个一次性的核验请求，持有人用钱包扫描二维码或打开链接作答，本页自动显示结果。',
    en: 'Create a one-time request; the holder scans the QR code or opens the link with a wallet, and the answer appears here.',
  },
  wantedTypes: { zh: '所需凭证类型', en: 'Credential types wanted' },
  otherType: { zh: '其他类型（逗号分隔）', en: 'Other types (comma separated)' },
  domainOptional: {
    zh: '域（可选，默认为本机构 DID）',
    en: 'Domain (optional; default: your organisation’s DID)',
  },
  createRequest: { zh: '生成核验请求', en: 'Create request' },
  requestNeedsSignIn: { zh: '请先以核验方身份登录。', en: 'Sign in as a verifier first.' },
  requestQrAlt: {
    zh: '核验请求二维码：请用钱包扫描',
    en: 'QR code of the verification request: scan it with a wallet',
  },
  requestLink: { zh: '请求链接', en: 'Request link' },
  copyLink: { zh: '复制链接', en: 'Copy link' },
  copied: { zh: '已复制', en: 'Copied' },
  expiresAt: { zh: '有效至 {time}', en: 'Valid until {time}' },
  requestPending: { zh: '等待持有人作答…', en: 'Waiting for the holder to answer…' },
  requestAnswered: { zh: '持有人已于 {time} 作答。', en: 'The holder answered at {time}.' },
  requestExpired: { zh: '请求已过期，请重新生成。', en: 'The request has expired; create a new one.' },
  holderAnswerTitle: { zh: '回应核验请求', en: 'Answer a verification request' },
  holderAnswerHint: {
    zh: '{org} 请求您出示：{types}。请用钱包对挑战值签名后提交，或将签好名的出示粘贴到下方。回应将发送至 {host}。',
    en: '{org} asks you to present: {types}. Sign the challenge with your wallet, or paste a signed presentation below. The answer goes to {host}.',
  },
  signedPresentation: { zh: '已签名的出示（JSON）', en: 'Signed presentation (JSON)' },
  submitAnswer: { zh: '提交', en: 'Submit' },
  missingTypes: {
    zh: '持有人未出示所需类型：{types}。',
    en: 'The holder did not present these wanted types: {types}.',
  },
  answerAccepted: { zh: '已提交，核验方会看到结果。', en: 'Submitted: the verifier will see the result.' },

  // Audit
  auditTitle: { zh: '学校审计台', en: 'School audit console' },
  auditHint: {
    zh: '督导员可查看一所学校在账本上的全部记录及其历史、账本链校验结果和逾期整改项。',
    en: 'Inspectors see every ledger record of a school with its history, the chain check and overdue corrective actions.',
  },
  auditNeedsSignIn: { zh: '请先以督导员身份登录。', en: 'Sign in as an inspector first.' },
  chooseSchool: { zh: '选择学校', en: 'Choose a school' },
  recordKind: { zh: '记录类别', en: 'Record kind' },
  allKinds: { zh: '全部', en: 'All' },
  load: { zh: '查看', en: 'Show' },
  loadMore: { zh: '加载更多', en: 'Load more' },
  exportCsv: { zh: '导出 CSV', en: 'Export CSV' },
  chainTitle: { zh: '账本链校验', en: 'Ledger chain check' },
  chainOk: {
    zh: '通过：共 {height} 个区块，哈希链与世界状态完全一致。',
    en: 'Passed: {height} blocks; the hash chain and world state match exactly.',
  },
  chainBad: { zh: '未通过：发现 {n} 个问题。', en: 'Failed: {n} problems found.' },
  lastHash: { zh: '最新区块哈希', en: 'Latest block hash' },
  overdueTitle: { zh: '逾期整改项', en: 'Overdue corrective actions' },
  noOverdue: { zh: '没有逾期整改项。', en: 'No overdue corrective actions.' },
  recordsTitle: { zh: '账本记录', en: 'Ledger records' },
  noRecords: { zh: '没有记录。', en: 'No records.' },
  history: { zh: '变更历史', en: 'History' },
  historyCount: { zh: '{n} 个版本', en: 'versions: {n}' },
  changedFields: { zh: '变更内容', en: 'What changed' },
  time: { zh: '时间', en: 'Time' },
  transaction: { zh: '交易', en: 'Transaction' },
  key: { zh: '键', en: 'Key' },
  deadline: { zh: '期限', en: 'Deadline' },
  inspection: { zh: '督导', en: 'Inspection' },
  action: { zh: '整改项', en: 'Action' },
  kind_organization: { zh: '机构', en: 'Organisation' },
  kind_accreditation: { zh: '资质', en: 'Accreditation' },
  kind_key: { zh: '签名密钥', en: 'Signing keys' },
  kind_credential: { zh: '凭证存证', en: 'Credential anchors' },
  kind_inspection: { zh: '督导', en: 'Inspections' },
  kind_evaluation: { zh: '评估', en: 'Evaluations' },
  loading: { zh: '加载中…', en: 'Loading…' },

  // Trust chain of a verified credential's issuer (GET /registry/issuers/{did})
  trustTitle: { zh: '信任链', en: 'Trust chain' },
  trustLoading: { zh: '正在从账本读取信任链…', en: 'Reading the trust chain from the ledger…' },
  trustInRegistry: {
    zh: '该机构目前列入本联盟的发证机构登记册。',
    en: "This issuer is currently listed in this consortium's issuer registry.",
  },
  trustNotInRegistry: {
    zh: '该机构已在账本登记，但目前没有有效的发证资质，不在发证机构登记册中。',
    en: 'This issuer is registered on the ledger but holds no accreditation in force now, so it is not in the issuer registry.',
  },
  trustUnknownIssuer: {
    zh: '该签发机构未在本账本登记，不在本联盟的发证机构登记册中。',
    en: "This issuer is not registered on this ledger and is not in this consortium's issuer registry.",
  },
  trustUnavailable: {
    zh: '暂时无法读取信任链：{msg}',
    en: 'The trust chain cannot be read right now: {msg}',
  },
  trustNoType: {
    zh: '该机构没有本凭证类型（{types}）的发证资质记录。',
    en: 'The issuer has no accreditation on record for this credential type ({types}).',
  },
  trustGeneric: { zh: '通用凭证', en: 'Generic credentials' },
  trustValidity: { zh: '资质有效期：{from} 至 {until}', en: 'Accredited from {from} until {until}' },
  trustRegistryLink: { zh: '发证机构登记册（DCC 格式）', en: 'Issuer registry (DCC format)' },
  trustState_active: { zh: '有效', en: 'In force' },
  trustState_suspended: { zh: '已暂停', en: 'Suspended' },
  'trustState_not-yet-valid': { zh: '尚未生效', en: 'Not yet in force' },
  trustState_expired: { zh: '已过期', en: 'Expired' },
  trustRelation_root: { zh: '教育局（信任根）', en: 'Bureau (root of trust)' },
  trustRelation_registered: { zh: '由上一级教育局登记', en: 'Registered by the bureau above' },
  trustRelation_accredited: { zh: '经上一级教育局认可发证', en: 'Accredited by the bureau above' },
  // Why a verdict is what it is (named in the banner from the result's checks)
  cause_revoked: { zh: '已撤销', en: 'revoked' },
  cause_suspended: { zh: '已暂停', en: 'suspended' },
  'cause_status-other': { zh: '状态不符', en: 'status mismatch' },
  cause_tampered: { zh: '已被篡改', en: 'tampered with' },
  cause_expired: { zh: '已过期', en: 'expired' },
  'cause_not-yet-valid': { zh: '尚未生效', en: 'not yet valid' },
  'cause_not-anchored': { zh: '账本无存证', en: 'not anchored on the ledger' },
  'cause_untrusted-issuer': { zh: '签发者不在名录', en: 'issuer not in the registry' },
  'cause_not-accredited': { zh: '签发者无资质', en: 'issuer not accredited' },
  'cause_key-invalid': { zh: '签名密钥无效', en: 'signing key not valid' },
  cause_format: { zh: '格式不符', en: 'malformed' },
  cause_challenge: { zh: '挑战值不符', en: 'challenge mismatch' },
  'cause_holder-binding': { zh: '非持有人本人出示', en: 'not presented by its holder' },
  causeText_revoked: {
    zh: '签发机构已撤销这份凭证：它不再有效。',
    en: 'The issuer revoked this credential: it no longer stands.',
  },
  causeText_suspended: {
    zh: '签发机构已暂停这份凭证：暂停期间不应采信。',
    en: 'The issuer suspended this credential: do not rely on it while suspended.',
  },
  'causeText_status-other': {
    zh: '账本上的状态记录与凭证不符。',
    en: 'The status record on the ledger does not match the credential.',
  },
  causeText_tampered: {
    zh: '签名无效：凭证在签发后被改动过，或不是所称机构签署的。',
    en: 'The signature is invalid: the credential was changed after signing, or not signed by its stated issuer.',
  },
  causeText_expired: { zh: '凭证已过有效期。', en: 'The credential has expired.' },
  'causeText_not-yet-valid': { zh: '凭证尚未到生效日期。', en: 'The credential is not valid yet.' },
  'causeText_not-anchored': {
    zh: '本账本成员签发的凭证都在账本存证，而这份没有：可能是伪造的。',
    en: 'Every credential a member of this ledger issues is anchored on it, and this one is not: it may be forged.',
  },
  'causeText_untrusted-issuer': {
    zh: '凭证本身真实，但签发机构不在本账本的发证机构名录中。',
    en: 'The credential itself is genuine, but its issuer is not in this ledger’s registry of issuers.',
  },
  'causeText_not-accredited': {
    zh: '签发机构签发时不具备签发此类凭证的资质。',
    en: 'The issuer was not accredited for this kind of credential when it issued it.',
  },
  'causeText_key-invalid': {
    zh: '签名所用密钥不属于签发机构，或签名时已失效。',
    en: 'The signing key is not the issuer’s, or was not valid when it signed.',
  },
  causeText_format: {
    zh: '不是可核验的凭证格式。',
    en: 'It is not a credential in a form that can be verified.',
  },
  causeText_challenge: {
    zh: '出示不是为这次核验签名的，可能是重放。',
    en: 'The presentation was not signed for this verification: it may be a replay.',
  },
  'causeText_holder-binding': {
    zh: '出示不是由凭证主体本人签名的。',
    en: 'The presentation was not signed by the subject of its credentials.',
  },

  // Growth reports
  studentName: { zh: '学生姓名', en: 'Student' },
  growthTableTitle: { zh: '各维度分学期记录', en: 'Entries by dimension and term' },
  growthChartTitle: { zh: '各维度每学期记录条数', en: 'Number of entries per dimension and term' },
  growthChartAlt: {
    zh: '柱状图：各维度记录条数（{summary}）',
    en: 'Bar chart of entries per dimension ({summary})',
  },
  growthChartAxis: { zh: '记录条数', en: 'Entries' },
  growthSet: { zh: '成长维度体系：{set}', en: 'Dimension set: {set}' },
  withheld: { zh: '未披露', en: 'Withheld' },
  withheldNote: {
    zh: '持有人选择性披露了这份报告：有 {n} 个维度未披露（不代表没有记录）。',
    en: 'The holder disclosed this report selectively: {n} dimensions are withheld (which does not mean they are empty).',
  },
  innerCredentials: { zh: '包含的凭证（{n} 份）', en: 'Credentials inside ({n})' },

  // Sign-in (checked against GET /session)
  signedInAs: { zh: '已登录：{org} · {role}', en: 'Signed in: {org} · {role}' },
  signInChecking: { zh: '正在核对令牌…', en: 'Checking the token…' },
  signInRefused: { zh: '令牌无效，未登录：{msg}', en: 'Not signed in, the token was refused: {msg}' },
  // Sign-in through the region's OpenID Connect provider (authorisation code with PKCE)
  oidcSignIn: { zh: '统一身份认证登录', en: 'Sign in with unified identity' },
  oidcSignInHint: {
    zh: '教职工请用统一身份认证登录；系统和机器用户仍可粘贴访问令牌。',
    en: 'Staff sign in with unified identity; systems and machine users may still paste an access token.',
  },
  oidcRedirecting: { zh: '正在前往统一身份认证…', en: 'Going to unified identity sign-in…' },
  oidcFinishing: { zh: '正在完成统一身份认证登录…', en: 'Completing the unified identity sign-in…' },
  oidcUnavailable: {
    zh: '无法连接统一身份认证服务，未登录，请稍后再试。',
    en: 'The unified identity service cannot be reached; nobody was signed in. Try again later.',
  },
  oidcBadState: {
    zh: '登录回调无效（state 不符），未登录任何人。请重新点击“统一身份认证登录”。',
    en: 'The sign-in callback is not valid (state mismatch); nobody was signed in. Click “Sign in with unified identity” again.',
  },
  oidcNoPending: {
    zh: '本标签页没有进行中的统一身份认证登录，未登录任何人。',
    en: 'No unified identity sign-in was started in this tab; nobody was signed in.',
  },
  oidcProviderRefused: {
    zh: '统一身份认证未完成登录（{code}），未登录任何人。',
    en: 'Unified identity did not sign you in ({code}); nobody was signed in.',
  },
  oidcTokenFailed: {
    zh: '统一身份认证登录失败，未登录：{msg}',
    en: 'The unified identity sign-in failed; nobody was signed in: {msg}',
  },
  'role_bureau-admin': { zh: '教育局管理员', en: 'bureau administrator' },
  role_inspector: { zh: '督导员', en: 'inspector' },
  'role_school-admin': { zh: '学校管理员', en: 'school administrator' },
  role_teacher: { zh: '教师', en: 'teacher' },
  'role_provider-admin': { zh: '培训机构管理员', en: 'provider administrator' },
  role_verifier: { zh: '核验方', en: 'verifier' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type Key = keyof typeof STRINGS;

const listeners: (() => void)[] = [];
let current: Lang = initialLang();

function initialLang(): Lang {
  const saved = localStorage.getItem('verifier.lang');
  if (saved === 'zh' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem('verifier.lang', next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  for (const listener of listeners) listener();
}

export function onLangChange(listener: () => void): void {
  listeners.push(listener);
}

/** The string for `key` in the current language, with `{name}` placeholders filled in. */
export function t(key: Key, vars: Record<string, string | number> = {}): string {
  return STRINGS[key][current].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** For keys built from data (check names, reason codes): the string if there is one. */
export function tMaybe(key: string, vars: Record<string, string | number> = {}): string | undefined {
  return key in STRINGS ? t(key as Key, vars) : undefined;
}

/** Dates and times in the reader's language. */
export function formatTime(iso: unknown): string {
  if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) return String(iso ?? '');
  return new Date(iso).toLocaleString(current === 'zh' ? 'zh-CN' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

export function formatDate(iso: unknown): string {
  if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) return String(iso ?? '');
  return new Date(iso).toLocaleDateString(current === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'long' });
}
