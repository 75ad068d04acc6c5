/** The languages edu-wallet speaks: Simplified Chinese and English. */
export type Lang = 'zh' | 'en';

/**
 * Every message, in both languages. `{name}` placeholders are filled from the parameters. Keys are
 * checked by the compiler, so a message cannot exist in one language only.
 */
export const MESSAGES = {
  // Errors
  badScryptCost: {
    zh: 'EDU_WALLET_SCRYPT_N 无效：{value}（须为 1024 到 1048576 之间的 2 的幂）',
    en: 'EDU_WALLET_SCRYPT_N is invalid: {value} (must be a power of two from 1024 to 1048576)',
  },
  corruptedFile: {
    zh: '文件已损坏或不是 edu-wallet 文件：{file}。请用备份（import）或助记词（restore）恢复。',
    en: 'The file is damaged or not an edu-wallet file: {file}. Recover from a backup (import) or your recovery words (restore).',
  },
  notAWallet: {
    zh: '{file} 不是钱包文件（可能是备份文件：请用 import 导入）。',
    en: '{file} is not a wallet file (is it a backup? use import).',
  },
  notABackup: {
    zh: '{file} 不是 edu-wallet 备份文件。',
    en: '{file} is not an edu-wallet backup file.',
  },
  wrongPassphrase: { zh: '密码错误，无法打开 {file}。', en: 'Wrong passphrase: cannot open {file}.' },
  noWallet: {
    zh: '{home} 中没有钱包。请先运行 edu-wallet init（新建）或 edu-wallet restore（用助记词恢复）。',
    en: 'No wallet in {home}. Run edu-wallet init (new) or edu-wallet restore (from recovery words) first.',
  },
  walletBusy: {
    zh: '另一个 edu-wallet 进程正在修改 {home} 中的钱包，请稍后再试。',
    en: 'Another edu-wallet process is changing the wallet in {home}; try again in a moment.',
  },
  ambiguousCredential: {
    zh: '“{ref}”对应多个凭证，请输入更长的编号。',
    en: '"{ref}" matches more than one credential; give more of its id.',
  },
  unknownCredential: {
    zh: '钱包中没有凭证“{ref}”。用 edu-wallet list 查看编号。',
    en: 'No credential "{ref}" in this wallet. See the ids with edu-wallet list.',
  },
  badMnemonic: {
    zh: '助记词无效：请检查单词及其顺序（BIP-39 英文词表）。',
    en: 'Invalid recovery words: check the words and their order (BIP-39 English word list).',
  },
  badUrl: { zh: '网址无效：{url}', en: 'Not a valid http(s) URL: {url}' },
  unreachable: {
    zh: '无法连接 {url}。请检查网络，或用 --gateway / EDU_GATEWAY_URL 指定网关地址。',
    en: 'Cannot reach {url}. Check the network, or set the gateway with --gateway / EDU_GATEWAY_URL.',
  },
  badAnswer: {
    zh: '{url} 返回了无法理解的应答（HTTP {status}）。',
    en: '{url} gave an answer edu-wallet does not understand (HTTP {status}).',
  },
  refused: {
    zh: '网关拒绝了请求（HTTP {status}，{code}）：{message}',
    en: 'The gateway refused the request (HTTP {status}, {code}): {message}',
  },
  noTerminal: {
    zh: '需要在终端中输入，但当前没有终端。',
    en: 'Input is needed, but there is no terminal to ask at.',
  },
  cancelled: { zh: '已取消。', en: 'Cancelled.' },
  noPassphrase: {
    zh: '需要钱包密码：请在终端中运行，或设置环境变量 {env}。',
    en: 'The wallet passphrase is needed: run at a terminal or set {env}.',
  },
  passphraseMismatch: { zh: '两次输入的密码不一致。', en: 'The two passphrases do not match.' },
  weakPassphrase: {
    zh: '密码太短：至少需要 {min} 个字符。',
    en: 'The passphrase is too short: at least {min} characters.',
  },
  noMnemonic: {
    zh: '需要助记词：使用 --mnemonic、设置 {env}，或在终端中运行。',
    en: 'The recovery words are needed: use --mnemonic, set {env}, or run at a terminal.',
  },
  walletNotEmpty: {
    zh: '{home} 不是空的，已有钱包或其他文件；为避免覆盖，已停止。请换一个 EDU_WALLET_HOME。',
    en: '{home} is not empty (a wallet or other files are there); stopped so nothing is overwritten. Use another EDU_WALLET_HOME.',
  },
  badOfferUrl: {
    zh: '不是凭证领取链接：{url}（应形如 https://…/credential-offers/<编号>）',
    en: 'Not a credential offer link: {url} (expected https://…/credential-offers/<id>)',
  },
  offerNotFound: { zh: '找不到该凭证领取链接：{url}', en: 'No such credential offer: {url}' },
  offerClaimed: {
    zh: '该凭证已被领取，链接只能使用一次。如有疑问请联系发证学校。',
    en: 'This credential has already been claimed; an offer link works once. Contact the issuing school if in doubt.',
  },
  offerExpired: {
    zh: '该领取链接已于 {at} 过期，请向发证学校索取新链接。',
    en: 'This offer expired at {at}; ask the issuing school for a new link.',
  },
  offerUnavailable: {
    zh: '该凭证无法领取（已领取或已过期）：{message}',
    en: 'This credential cannot be claimed (already claimed or expired): {message}',
  },
  notOurCredential: {
    zh: '收到的凭证不属于本钱包（{did}），未保存。',
    en: 'The credential received is not for this wallet ({did}); it was not stored.',
  },
  receivedInvalid: {
    zh: '收到的凭证未通过验证（{reason}），未保存。',
    en: 'The credential received does not verify ({reason}); it was not stored.',
  },
  saveFailedAfterClaim: {
    zh: '凭证已领取但未能写入钱包。以下是凭证内容，请妥善保存：',
    en: 'The credential was claimed but could not be written to the wallet. Here it is; keep it safe:',
  },
  fileExists: {
    zh: '{file} 已存在；如需覆盖请加 --force。',
    en: '{file} already exists; add --force to overwrite it.',
  },
  qrTooLarge: {
    zh: '内容（{bytes} 字节）超出二维码容量（最多 2953 字节）。请改用 --out 或 --to。',
    en: 'The content ({bytes} bytes) does not fit in a QR code (2953 bytes at most). Use --out or --to instead.',
  },
  fileNotFound: { zh: '找不到文件：{file}', en: 'File not found: {file}' },
  backupOtherDid: {
    zh: '备份属于 {backup}，而本钱包是 {wallet}；不会混合两个身份的凭证。请导入到空的钱包目录。',
    en: 'The backup belongs to {backup} but this wallet is {wallet}; two identities are never mixed. Import into an empty wallet folder.',
  },
  badOption: { zh: '参数无效：{detail}', en: 'Invalid option: {detail}' },
  notSelective: {
    zh: '凭证 {id} 不支持选择性披露（发证时未使用 ecdsa-sd-2023）；只能完整出示。',
    en: 'Credential {id} does not support selective disclosure (it was not issued with ecdsa-sd-2023); it can only be presented whole.',
  },
  unknownDimension: {
    zh: '凭证 {id} 中没有维度 {dimension}（有：{known}）',
    en: 'Credential {id} has no dimension {dimension} (it has: {known})',
  },
  jwtNeedsJwtFormat: {
    zh: '凭证 {id} 是 vc+jwt（JOSE）凭证，只能放在 JWT 出示中：请加 --format jwt。',
    en: 'Credential {id} is a vc+jwt (JOSE) credential and can only be presented in a JWT presentation: add --format jwt.',
  },
  noQrFound: {
    zh: '在图片 {file} 中找不到二维码。请换一张更清晰的截图，或直接粘贴核验请求链接。',
    en: 'No QR code found in the image {file}. Try a sharper picture, or paste the request link instead.',
  },
  badRequestLink: {
    zh: '不是核验请求：{input}（应为核验网页给出的 …/verify/#request=… 链接，或其二维码图片）',
    en: 'Not a verification request: {input} (expected the …/verify/#request=… link the verifier page shows, or a picture of its QR code)',
  },
  requestExpired: {
    zh: '该核验请求已于 {at} 过期，请验证方重新发起。',
    en: 'This verification request expired at {at}; ask the verifier for a new one.',
  },
  requestUnavailable: {
    zh: '该核验请求已无法回应（已被回应或已过期）：{message}',
    en: 'This verification request can no longer be answered (already answered or expired): {message}',
  },
  noMatchingCredential: {
    zh: '钱包中没有验证方要求的凭证类型：{types}。可在命令中直接写出凭证编号。',
    en: 'No credential in this wallet has a type the verifier asks for: {types}. You can name the credentials on the command line.',
  },
  presentNeedsTarget: {
    zh: '请给出 --request <核验请求链接或二维码图片>，或同时给出 --challenge 和 --domain。',
    en: 'Give --request <request link or QR picture>, or both --challenge and --domain.',
  },
  presentNeedsIds: {
    zh: '请写出要出示的凭证编号（只有使用 --request 时才能自动选择）。',
    en: 'Name the credentials to present (they are chosen for you only with --request).',
  },
  presentRevoked: {
    zh: '凭证 {id} 已被发证机构标记为“{status}”（{since}）：验证方会判定它无效。如确实仍要出示，请加 --allow-revoked。',
    en: 'Credential {id} has been {status} by its issuer ({since}): the verifier will find it invalid. To present it anyway, add --allow-revoked.',
  },
  internal: {
    zh: '内部错误：{message}（设置 EDU_WALLET_DEBUG=1 查看详情）',
    en: 'Internal error: {message} (set EDU_WALLET_DEBUG=1 for details)',
  },

  // Prompts
  promptPassphrase: { zh: '钱包密码：', en: 'Wallet passphrase: ' },
  promptNewPassphrase: {
    zh: '设置钱包密码（至少 8 个字符）：',
    en: 'New wallet passphrase (8+ characters): ',
  },
  promptConfirmPassphrase: { zh: '再次输入密码：', en: 'Repeat the passphrase: ' },
  promptBackupPassphrase: {
    zh: '备份密码（直接回车 = 与钱包密码相同）：',
    en: 'Backup passphrase (Enter = same as the wallet passphrase): ',
  },
  promptMnemonic: { zh: '助记词（以空格分隔）：', en: 'Recovery words (separated by spaces): ' },

  // Results
  initDone: {
    zh: '钱包已创建：{home}\n你的身份（DID）：{did}\n\n请抄下以下助记词并妥善保管。它只显示这一次，是恢复钱包的唯一方式：',
    en: 'Wallet created in {home}\nYour identity (DID): {did}\n\nWrite down these recovery words and keep them safe. They are shown only this once and are the only way to recover the wallet:',
  },
  mnemonicWarning: {
    zh: '任何人拿到助记词都能冒充你出示凭证。不要拍照、不要发给任何人，包括老师和学校。',
    en: 'Anyone with these words can present your credentials as you. Do not photograph them or send them to anyone, teachers and schools included.',
  },
  restoreDone: { zh: '钱包已恢复，身份（DID）：{did}', en: 'Wallet restored. Identity (DID): {did}' },
  descGrant: {
    zh: '授权某机构（如招生办）在若干天内查看成长档案的指定维度',
    en: 'Let an organisation (e.g. an admissions office) read chosen growth-archive dimensions for some days',
  },
  descRevokeGrant: { zh: '撤回一项授权', en: 'Withdraw a consent' },
  optGrantTo: { zh: '被授权机构的编号，如 university', en: 'id of the organisation, e.g. university' },
  optGrantDimensions: {
    zh: '维度编号，用逗号分隔，如 academic,arts',
    en: 'dimension ids, comma-separated, e.g. academic,arts',
  },
  optGrantDays: { zh: '有效天数（默认 30）', en: 'days the consent lasts (default 30)' },
  optGrantId: { zh: '授权编号（默认自动生成）', en: 'consent id (generated by default)' },
  grantDone: {
    zh: '已授权 {org} 查看：{dimensions}\n有效期至 {until}\n授权编号：{id}（撤回：edu-wallet revoke-grant {id}）',
    en: 'Granted {org} access to: {dimensions}\nUntil {until}\nConsent id: {id} (withdraw: edu-wallet revoke-grant {id})',
  },
  revokeGrantDone: { zh: '已撤回授权 {id}', en: 'Consent {id} withdrawn' },
  notRegistered: {
    zh: '网关找不到与本钱包身份（DID）对应的学生档案，请联系学校登记',
    en: "The gateway knows no student with this wallet's DID: ask your school to register it",
  },
  receiveDone: {
    zh: '已领取并保存：{name}（{issuer}）\n编号：{id}',
    en: 'Received and stored: {name} ({issuer})\nId: {id}',
  },
  listHeader: { zh: '身份 {did} · 共 {count} 个凭证', en: 'Identity {did} · {count} credential(s)' },
  listEmpty: {
    zh: '（还没有凭证。用 edu-wallet receive <领取链接> 领取。）',
    en: '(No credentials yet. Get one with edu-wallet receive <offer link>.)',
  },
  verified: {
    zh: '✔ 凭证有效（网关已核对账本）',
    en: '✔ The credential is valid (checked by the gateway against the ledger)',
  },
  notVerified: { zh: '✘ 凭证未通过验证', en: '✘ The credential did not verify' },
  offlineVerified: {
    zh: '✔ 签名有效（离线：只检查签名，未检查账本上的状态与锚定）',
    en: '✔ Signature valid (offline: signature only; ledger status and anchor not checked)',
  },
  offlineFailed: { zh: '✘ 签名无效：{reason}', en: '✘ Signature invalid: {reason}' },
  presentWritten: { zh: '出示凭证已写入 {file}', en: 'Presentation written to {file}' },
  qrWritten: { zh: '二维码已写入 {file}', en: 'QR code written to {file}' },
  presentSent: { zh: '已发送给验证方：{url}', en: 'Sent to the verifier: {url}' },
  presentRefused: {
    zh: '验证方未接受该出示：{url}\n{message}',
    en: 'The verifier did not accept the presentation: {url}\n{message}',
  },
  exportDone: {
    zh: '加密备份已写入 {file}（{count} 个凭证，含密钥）。',
    en: 'Encrypted backup written to {file} ({count} credential(s) and the keys).',
  },
  importDone: {
    zh: '已导入：身份 {did}，新增 {added} 个凭证，共 {total} 个。',
    en: 'Imported: identity {did}, {added} credential(s) added, {total} in all.',
  },

  presentRevokedWarning: {
    zh: '⚠ 注意：凭证 {id} 的状态为“{status}”，验证方会判定它无效（已按 --allow-revoked 出示）。',
    en: '⚠ Warning: credential {id} is {status}; the verifier will find it invalid (presented because of --allow-revoked).',
  },
  presentRequestSent: {
    zh: '已回应验证方 {domain} 的核验请求（{types}）：{url}',
    en: 'Answered the verification request of {domain} ({types}): {url}',
  },
  restoreNoCredentials: {
    zh: '⚠ 恢复后的钱包是空的：助记词只能恢复身份（DID），凭证本身只保存在备份文件中。\n请用 edu-wallet import <备份文件> 导入备份；没有备份时，请向发证学校重新领取。',
    en: '⚠ The restored wallet is empty: recovery words bring back the identity (DID) only; the credentials live only in backup files.\nImport a backup with edu-wallet import <backup file>; without one, ask the issuing schools to issue them again.',
  },
  listStatusUnknown: {
    zh: '（无法连接网关，未显示凭证状态。）',
    en: '(The gateway could not be reached; statuses are not shown.)',
  },
  shareLink: {
    zh: '核验链接（任何人打开即可核验）：',
    en: 'Verification link (anyone who opens it can verify):',
  },
  shareShortLink: {
    zh: '短链接（凭证已上传到网关，{at} 前有效）：{url}',
    en: 'Short link (the credential was uploaded to the gateway; valid until {at}): {url}',
  },
  shareNoQr: {
    zh: '凭证太大，终端宽度（80 列）内放不下二维码；去掉 --no-upload 可改用网关短链接。',
    en: 'The credential is too large for a QR code within 80 terminal columns; without --no-upload a short link from the gateway is used instead.',
  },
  shareInactive: {
    zh: '⚠ 注意：该凭证的状态为“{status}”，打开链接的人会看到它无效。',
    en: '⚠ Note: this credential is {status}; whoever opens the link will see it as invalid.',
  },

  // show
  labelName: { zh: '名称', en: 'Name' },
  labelType: { zh: '类型', en: 'Type' },
  labelIssuer: { zh: '颁发机构', en: 'Issuer' },
  labelIssued: { zh: '颁发日期', en: 'Issued' },
  labelValidUntil: { zh: '有效期至', en: 'Valid until' },
  labelStatus: { zh: '状态', en: 'Status' },
  labelCredits: { zh: '学分', en: 'Credits' },
  labelAchievement: { zh: '成就', en: 'Achievement' },
  labelDescription: { zh: '说明', en: 'Description' },
  labelCriteria: { zh: '获得条件', en: 'Criteria' },
  labelId: { zh: '凭证编号', en: 'Credential id' },
  labelReceived: { zh: '领取日期', en: 'Received' },
  labelSummary: { zh: '简介', en: 'Summary' },
  labelTerm: { zh: '学期', en: 'Term' },
  labelCycle: { zh: '周期', en: 'Cycle' },
  labelCourse: { zh: '课程', en: 'Course' },
  labelFromInstitution: { zh: '原机构', en: 'From institution' },
  labelToInstitution: { zh: '认定机构', en: 'To institution' },
  labelAgreement: { zh: '互认协议', en: 'Agreement' },
  labelHours: { zh: '学时', en: 'Hours' },
  labelActivityKind: { zh: '活动类型', en: 'Activity kind' },
  labelCompletedOn: { zh: '完成日期', en: 'Completed on' },
  labelAchievementType: { zh: '成就类型', en: 'Achievement type' },
  labelCreditsAvailable: { zh: '可获学分', en: 'Credits available' },
  sectionDimensions: { zh: '成长档案维度（{count} 个）：', en: 'Growth dimensions ({count}):' },
  entryCount: { zh: '{count} 条记录', en: '{count} entr(ies)' },
  sectionCreditsByKind: { zh: '各类学分：', en: 'Credits by kind:' },
  sectionClrParts: { zh: '包含的凭证（{count} 个）：', en: 'Credentials inside ({count}):' },
  clrAchievements: {
    zh: '共列出 {achievements} 项成就、{associations} 条关联',
    en: '{achievements} achievement(s) and {associations} association(s) listed',
  },

  labelFormat: { zh: '签名格式', en: 'Secured as' },
  formatJwt: { zh: 'vc+jwt（JOSE，EdDSA 签名）', en: 'vc+jwt (JOSE, EdDSA signature)' },
  formatDataIntegrity: { zh: '数据完整性证明', en: 'Data Integrity proof' },
  noEndDate: { zh: '长期有效', en: 'no end date' },
  statusActive: { zh: '有效', en: 'active' },
  statusRevoked: { zh: '已撤销', en: 'revoked' },
  statusSuspended: { zh: '已暂停', en: 'suspended' },
  statusUnknown: { zh: '未知（无法连接网关）', en: 'unknown (gateway not reachable)' },

  // verify checks
  checkFormat: { zh: '格式', en: 'format' },
  checkSignature: { zh: '签名', en: 'signature' },
  checkIssuerAccredited: { zh: '发证资质', en: 'issuer accredited' },
  checkKeyValid: { zh: '密钥有效', en: 'key valid' },
  checkAnchored: { zh: '账本锚定', en: 'anchored on the ledger' },
  checkStatus: { zh: '状态', en: 'status' },
  checkValidity: { zh: '有效期', en: 'validity period' },
  checkHolderBinding: { zh: '持有人绑定', en: 'holder binding' },
  checkChallenge: { zh: '挑战值', en: 'challenge' },

  // Help
  descProgram: {
    zh: '教育凭证钱包：领取、备份和出示你的学历与成长凭证',
    en: 'Education credential wallet: receive, back up and present your credentials',
  },
  descInit: { zh: '新建钱包（生成身份和助记词）', en: 'Create a wallet (a new identity and recovery words)' },
  descRestore: {
    zh: '用助记词在空目录中恢复钱包',
    en: 'Restore a wallet from its recovery words into an empty folder',
  },
  descDid: { zh: '显示本钱包的身份（DID）', en: "Show this wallet's identity (DID)" },
  descReceive: { zh: '通过领取链接领取凭证', en: 'Claim a credential from an offer link' },
  descAddCredential: {
    zh: '从文件添加发给本钱包的凭证（如学校直接签发的成长档案报告；JSON 或 vc+jwt）',
    en: 'Add a credential issued to this wallet from a file (e.g. a growth report issued straight to you; JSON or vc+jwt)',
  },
  descList: { zh: '列出所有凭证', en: 'List the credentials' },
  descShow: { zh: '查看一个凭证的详细信息', en: 'Show one credential in detail' },
  descVerify: {
    zh: '验证一个凭证（经网关核对账本）',
    en: 'Verify a credential (through the gateway and its ledger)',
  },
  descPresent: {
    zh: '为验证方生成出示（可验证表述），可输出文件、二维码或直接发送',
    en: 'Make a presentation for a verifier: print, file, QR code or send',
  },
  descExport: { zh: '导出加密备份（密钥和凭证）', en: 'Export an encrypted backup (keys and credentials)' },
  descImport: { zh: '导入加密备份', en: 'Import an encrypted backup' },
  optJson: { zh: '以 JSON 输出（便于脚本处理）', en: 'print JSON (for scripts)' },
  optLang: { zh: '界面语言：zh 或 en', en: 'language: zh or en' },
  optGateway: {
    zh: '网关地址（默认 EDU_GATEWAY_URL 或 {url}）',
    en: 'gateway URL (default EDU_GATEWAY_URL or {url})',
  },
  optMnemonic: {
    zh: '助记词（也可用 EDU_WALLET_MNEMONIC 或终端输入，以免留在命令历史中）',
    en: 'recovery words (or EDU_WALLET_MNEMONIC, or typed at the prompt, to keep them out of shell history)',
  },
  optOffline: {
    zh: '离线验证：只检查签名（使用领取时缓存的发证机构 DID 文档）',
    en: "offline: signature only (using the issuer's DID document cached at receive time)",
  },
  optChallenge: { zh: '验证方给出的挑战值（至少 8 个字符）', en: "the verifier's challenge (8+ characters)" },
  optDomain: { zh: '验证方的域', en: "the verifier's domain" },
  optFormat: {
    zh: '格式：ldp（数据完整性证明，默认）或 jwt（vp+jwt，可包含 vc+jwt 凭证）',
    en: 'format: ldp (Data Integrity, default) or jwt (vp+jwt, which can hold vc+jwt credentials)',
  },
  optOut: { zh: '写入文件', en: 'write to this file' },
  optQr: { zh: '在终端显示二维码', en: 'show a QR code in the terminal' },
  optQrPng: { zh: '将二维码写入 PNG 文件', en: 'write a QR code PNG file' },
  optTo: {
    zh: '发送给验证方的验证请求地址（POST …/response）',
    en: "send to a verifier's verification-request URL (POST …/response)",
  },
  descShare: {
    zh: '生成核验链接和终端二维码（80 列以内），交给任何人核验；凭证太大时使用网关短链接（24 小时有效）',
    en: 'Make a verification link and a terminal QR code (80 columns at most) anyone can check; too large a credential gets a short link from the gateway (24 hours)',
  },
  optNoUpload: {
    zh: '不上传到网关（凭证太大时不显示二维码）',
    en: 'never upload to the gateway (no QR code when the credential is too large)',
  },
  optRequest: {
    zh: '回应核验请求：核验网页给出的链接，或其二维码图片（PNG）；挑战值、域和回应地址都从中读取',
    en: 'answer a verification request: the link the verifier page shows, or a PNG picture of its QR code; challenge, domain and answer address are read from it',
  },
  optAllowRevoked: {
    zh: '即使凭证已被撤销或暂停也出示（验证方会判定它无效）',
    en: 'present even a revoked or suspended credential (the verifier will find it invalid)',
  },
  optForce: { zh: '覆盖已有文件', en: 'overwrite an existing file' },
  optDisclose: {
    zh: '只披露这些成长档案维度（以逗号分隔，如 academic,arts）；其余内容不出现在出示中',
    en: 'disclose only these growth-archive dimensions (comma-separated, e.g. academic,arts); nothing else of them is in the presentation',
  },
  exitCodes: {
    zh: '退出码：0 成功，1 用法错误，2 密码错误，3 未找到，4 验证失败，5 网络/网关错误，6 钱包文件损坏，7 领取链接或核验请求已失效，8 钱包正被占用',
    en: 'Exit codes: 0 ok, 1 usage, 2 wrong passphrase, 3 not found, 4 verification failed, 5 network/gateway error, 6 corrupted wallet, 7 offer or verification request no longer usable, 8 wallet busy',
  },
} as const satisfies Record<string, Record<Lang, string>>;

export type MessageKey = keyof typeof MESSAGES;

/** Renders a message in the chosen language. */
export type Translate = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

/** A translator for `lang`; unknown placeholders are left visible rather than silently dropped. */
export function translator(lang: Lang): Translate {
  return (key, params = {}) =>
    MESSAGES[key][lang].replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
}

/**
 * The language: `--lang zh|en` (or `--lang=…`) anywhere on the command line; otherwise the POSIX
 * locale (LC_ALL, then LC_MESSAGES, then LANG: the first one set) — Chinese when it starts with
 * `zh`, English otherwise.
 */
export function detectLang(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Lang {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = arg === '--lang' ? argv[i + 1] : arg?.startsWith('--lang=') ? arg.slice(7) : undefined;
    if (value === 'zh' || value === 'en') return value;
  }
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '') ?? '';
  return locale.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}
