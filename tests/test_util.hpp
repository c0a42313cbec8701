#pragma once
/// \file test_util.hpp
/// Helpers for the end-to-end tests: temporary directories, files, running the built `recur`
/// binary (and python3 for shared/tools/check_report.py) with captured output, and generators of
/// Chinese-like text. Everything here is deterministic for a given seed.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "recur/encoding.hpp"

#ifndef RECUR_BINARY
#error "RECUR_BINARY must be defined (path of the built recur executable)"
#endif
#ifndef RECUR_SHARED_DIR
#define RECUR_SHARED_DIR ""
#endif
#ifndef RECUR_PYTHON
#define RECUR_PYTHON ""
#endif

namespace recur_test {

namespace fs = std::filesystem;

/// A fresh directory under the system temporary directory, removed with everything in it when
/// the object goes out of scope.
class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "recur_e2e_XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + templ);
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const noexcept { return path_; }
  /// Absolute path of `name` inside the directory, as a string.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

/// Writes `bytes` to `path` (binary, replaced), creating parent directories.
inline void write_file(const fs::path& path, std::string_view bytes) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("short write to " + path.string());
}

/// The whole content of `path` (binary); throws when it cannot be read.
inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// `s` quoted for /bin/sh.
inline std::string shell_quote(std::string_view s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  q += "'";
  return q;
}

/// What a command did.
struct RunResult {
  std::string command;
  int status = -1;      ///< exit status; 128 + signal number when killed by a signal
  std::string out;      ///< everything written to stdout
  std::string err;      ///< everything written to stderr
  double seconds = 0;   ///< wall time
  /// True when the process ended normally with an exit status below 128 (no crash).
  bool exited_normally() const noexcept { return status >= 0 && status < 128; }
};

/// A short description of a run for failure messages (stderr cut to 2000 bytes).
inline std::string describe(const RunResult& r) {
  std::string e = r.err.size() > 2000 ? r.err.substr(0, 2000) + "..." : r.err;
  std::string o = r.out.size() > 1000 ? r.out.substr(0, 1000) + "..." : r.out;
  return "command: " + r.command + "\nstatus: " + std::to_string(r.status) + "\nstderr:\n" + e +
         "\nstdout:\n" + o;
}

/// Runs `command` with /bin/sh in `cwd` (when not empty), stdin from /dev/null, capturing stdout
/// and stderr through temporary files.
inline RunResult run_command(const std::string& command, const fs::path& cwd = {}) {
  TempDir capture;
  const std::string out_path = capture.file("stdout"), err_path = capture.file("stderr");
  std::string full;
  if (!cwd.empty()) full += "cd " + shell_quote(cwd.string()) + " && ";
  full += "( " + command + " ) </dev/null >" + shell_quote(out_path) + " 2>" + shell_quote(err_path);
  RunResult r;
  r.command = command;
  const auto start = std::chrono::steady_clock::now();
  const int raw = std::system(full.c_str());
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (raw == -1) r.status = -1;
  else if (WIFEXITED(raw)) r.status = WEXITSTATUS(raw);
  else if (WIFSIGNALED(raw)) r.status = 128 + WTERMSIG(raw);
  std::error_code ec;
  if (fs::exists(out_path, ec)) r.out = read_file(out_path);
  if (fs::exists(err_path, ec)) r.err = read_file(err_path);
  return r;
}

/// Path of the recur binary under test: the one built with the tests, or $RECUR_TEST_BINARY (to
/// check that a test fails on an older build).
inline std::string recur_binary() {
  const char* other = std::getenv("RECUR_TEST_BINARY");
  return other != nullptr && *other != '\0' ? other : RECUR_BINARY;
}
/// Path of ../shared (may not exist).
inline fs::path shared_dir() { return fs::path(RECUR_SHARED_DIR); }
/// Path of python3, or empty when CMake did not find one.
inline std::string python() { return RECUR_PYTHON; }

/// Runs recur with `args` (each quoted).
inline RunResult run_recur(const std::vector<std::string>& args, const fs::path& cwd = {}) {
  std::string cmd = shell_quote(recur_binary());
  for (const auto& a : args) cmd += " " + shell_quote(a);
  return run_command(cmd, cwd);
}

/// True when python3 and shared/tools/check_report.py are both there.
inline bool check_report_available() {
  std::error_code ec;
  return !python().empty() && fs::exists(python(), ec) &&
         fs::exists(shared_dir() / "tools" / "check_report.py", ec);
}

/// Runs shared/tools/check_report.py on one report, or on two to compare them.
inline RunResult run_check_report(const std::string& report, const std::string& other = "",
                                  const fs::path& cwd = {}) {
  std::string cmd = shell_quote(python()) + " " +
                    shell_quote((shared_dir() / "tools" / "check_report.py").string()) + " " +
                    shell_quote(report);
  if (!other.empty()) cmd += " " + shell_quote(other);
  return run_command(cmd, cwd);
}

/// Parses a JSON file (ordered, so dumps keep the writer's key order).
inline nlohmann::ordered_json load_json(const fs::path& path) {
  return nlohmann::ordered_json::parse(read_file(path));
}

/// The report with the fields that may differ between runs (timings, thread count) removed.
inline nlohmann::ordered_json without_timings(nlohmann::ordered_json j) {
  if (j.contains("stats") && j["stats"].is_object()) j["stats"].erase("seconds");
  if (j.contains("options") && j["options"].is_object()) j["options"].erase("threads");
  return j;
}

/// The raw JSON text with the "seconds" object and the "threads" option cut out, for checking
/// that two runs are byte-identical apart from those.
inline std::string raw_without_timings(const std::string& json_text) {
  static const std::regex seconds(R"re("seconds"\s*:\s*\{[^{}]*\})re");
  static const std::regex threads(R"re("threads"\s*:\s*[0-9]+)re");
  return std::regex_replace(std::regex_replace(json_text, seconds, "\"seconds\":{}"), threads,
                            "\"threads\":0");
}

// ---------------------------------------------------------------- text ----------------------

/// Uniform integer in [0, n) from the generator: portable (unlike std::uniform_int_distribution,
/// whose output differs between standard libraries), the tiny modulo bias is irrelevant here.
inline std::size_t uniform(std::mt19937_64& rng, std::size_t n) {
  return n == 0 ? 0 : static_cast<std::size_t>(rng() % n);
}
/// Uniform integer in [lo, hi].
inline std::size_t uniform(std::mt19937_64& rng, std::size_t lo, std::size_t hi) {
  return lo + uniform(rng, hi - lo + 1);
}
/// True with probability p.
inline bool chance(std::mt19937_64& rng, double p) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53 < p;
}

/// Splits valid UTF-8 into code points (each a 1-4 byte string).
inline std::vector<std::string> split_utf8(std::string_view s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    n = std::min(n, s.size() - i);
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

/// Number of code points in valid UTF-8.
inline std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

/// Decodes valid UTF-8 into code points.
inline std::vector<char32_t> to_code_points(std::string_view s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    char32_t c;
    std::size_t n;
    if (b0 < 0x80) { c = b0; n = 1; }
    else if (b0 < 0xE0) { c = b0 & 0x1F; n = 2; }
    else if (b0 < 0xF0) { c = b0 & 0x0F; n = 3; }
    else { c = b0 & 0x07; n = 4; }
    for (std::size_t k = 1; k < n && i + k < s.size(); ++k)
      c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(c);
    i += n;
  }
  return out;
}

/// UTF-16LE bytes of valid UTF-8 text (no BOM).
inline std::string utf8_to_utf16le(std::string_view s) {
  std::string out;
  auto unit = [&](char32_t u) {
    out += static_cast<char>(u & 0xFF);
    out += static_cast<char>((u >> 8) & 0xFF);
  };
  for (char32_t c : to_code_points(s)) {
    if (c >= 0x10000) {
      c -= 0x10000;
      unit(0xD800 + (c >> 10));
      unit(0xDC00 + (c & 0x3FF));
    } else {
      unit(c);
    }
  }
  return out;
}

/// 2000 distinct common Chinese characters (every ~1.9th character of GB2312 level 1), so
/// random text from them has realistic byte statistics in any Chinese encoding.
inline const std::vector<std::string>& cjk_alphabet() {
  static const std::vector<std::string> alphabet = [] {
    static const char* const rows[] = {
        "啊阿挨唉皑蔼艾爱鞍氨俺暗胺肮盎敖翱袄奥澳捌叭笆疤拔跋把坝罢白百佰拜稗班扳颁版拌瓣办绊帮榜绑磅镑谤胞包剥雹堡宝报豹爆碑悲北背钡狈惫被苯本崩甭蹦逼比笔碧蓖毕毖庇闭弊辟臂避鞭编扁变辨辫标彪表憋瘪斌滨摈冰柄秉",
        "炳并菠拨波勃铂箔帛脖渤驳卜补不布簿怖猜材财踩彩菜餐蚕惭灿舱沧操糙曹厕侧测蹭叉茶查搽岔诧柴搀蝉谗缠产颤猖尝长肠敞唱倡抄朝潮吵车撤彻澈臣尘忱陈衬称橙成乘惩诚逞秤痴匙池弛耻侈赤斥充虫崇抽畴稠筹绸丑初出厨锄滁",
        "楚储搐处川穿传喘疮幢闯吹捶锤春醇淳蠢绰茨雌辞瓷此赐聪囱从凑粗簇蹿窜崔脆粹翠村寸撮措错达瘩大呆傣带代袋逮耽丹郸掸旦但淡弹当党档刀蹈岛导稻道德的蹬登瞪邓低迪笛涤翟抵地第弟缔掂碘点靛电甸惦淀碉雕凋掉钓跌碟迭",
        "叠盯钉顶锭订东董动侗冻洞抖陡逗都毒独堵睹杜肚渡端锻断堆兑对吨敦囤盾掇多夺躲跺剁堕峨俄讹娥厄遏饿而耳饵二发罚伐阀珐帆翻矾繁凡反范犯泛芳肪防妨访放非飞匪吠废沸芬吩分坟汾奋忿愤丰枫峰风烽冯讽奉佛夫肤扶辐氟伏",
        "服浮福弗抚俯斧腑腐赴覆复付父负讣妇缚噶该概盖干杆竿肝感敢冈钢肛岗杠篙高羔搞稿哥搁鸽胳割葛蛤隔个给跟耕庚埂梗攻恭供公弓巩拱共勾苟垢购辜菇箍沽姑古骨股顾固刮剐挂乖怪关冠观馆惯贯广瑰圭归龟轨诡桂跪刽滚锅郭果",
        "过骸海亥骇憨韩含寒喊翰捍憾焊汉夯航嚎毫好号呵荷菏禾何盒阂涸褐贺嘿痕狠哼横恒哄虹鸿宏红侯吼候呼忽瑚葫蝴糊弧唬互户哗华滑划话徊淮欢桓还换唤豢涣幻慌磺蝗皇惶晃恍灰辉恢蛔毁慧惠贿会汇诲绘昏魂混活火或霍货击基畸",
        "积肌迹讥姬绩吉棘籍及疾即级挤脊蓟冀伎剂济寂计既际继嘉夹家荚颊甲假价驾歼坚笺间兼艰缄检碱拣简俭减槛践见箭健剑渐溅建姜浆疆桨讲酱降椒焦交浇娇搅矫侥狡饺绞教轿叫揭接秸阶劫桔捷竭结解戒芥借疥届筋金今襟锦谨靳禁",
        "烬尽荆兢睛鲸惊粳井景静境镜痉竟净窘究玖韭灸酒救臼咎疚拘狙居菊咀举聚据具距锯句炬捐娟眷绢撅抉倔觉诀均钧君俊竣郡喀卡开楷慨堪勘砍康糠抗炕拷靠坷柯磕科咳渴刻课肯垦坑空孔抠扣枯哭苦库夸挎胯筷快宽匡狂矿旷亏岿葵",
        "魁傀愧坤捆括廓垃喇蜡辣莱赖婪拦阑澜谰览缆滥榔廊朗捞劳老姥烙勒雷蕾累儡擂类棱冷梨黎狸离理里礼荔栗厉砾历傈俐立沥力哩联连镰怜帘脸恋练凉粱良辆晾谅聊疗寥潦了镣料裂劣琳磷临邻淋赁拎菱龄伶凌灵岭另溜榴馏刘流柳龙",
        "咙窿垄陇娄篓陋芦颅炉卤鲁碌路鹿潞录戮吕侣履缕氯律滤峦孪卵掠抡伦仑纶萝罗锣骡落骆络麻码马嘛埋麦迈脉馒满曼漫芒盲忙猫茅毛铆茂帽贸玫梅酶煤眉镁美寐媚闷们蒙盟猛孟醚糜谜弥秘泌密棉绵免娩缅苗瞄秒庙蔑民皿敏闽螟铭",
        "命摸蘑膜摩魔末墨沫寞谋某牡亩母暮募木睦穆哪呐那纳乃耐南难挠脑闹呢内能霓泥拟你腻溺拈碾捻娘鸟尿聂啮镍您狞宁泞扭钮脓农奴怒暖疟懦糯哦鸥藕偶啪爬怕琶排徘派潘磐畔叛乓旁胖咆炮跑呸培裴陪佩喷砰烹彭棚硼膨鹏碰砒批",
        "劈毗脾疲匹僻譬偏骗漂票撇拼贫聘坪萍凭评屏泼婆魄粕扑仆葡菩埔圃浦曝期栖妻七漆沏棋歧崎齐祈祁起乞启砌气弃泣掐恰牵钎千签谦黔钳前遣谴嵌歉呛羌蔷强橇敲桥乔巧撬峭俏切且窃侵秦勤擒禽沁轻倾清晴情请庆穷丘球囚泅区曲",
        "屈驱取龋去颧醛全拳犬劝炔却榷雀群燃冉瓤攘让扰惹壬人忍任刃纫仍戎蓉融熔容冗柔茹儒如乳汝褥阮瑞闰若撒萨腮塞三伞桑丧骚嫂色涩僧砂刹纱啥筛珊苫山煽闪擅膳汕缮墒商晌尚梢稍芍韶少邵奢蛇舍摄慑社设申伸深绅沈婶肾慎声",
        "甥升省剩圣失施湿尸十拾什蚀识矢使驶式士柿拭逝是嗜适侍饰市室试手首寿售瘦蔬梳抒叔舒疏赎熟暑署黍属术树戍墅数恕耍衰帅栓霜爽水税瞬舜硕朔斯嘶私丝肆嗣伺似巳耸颂宋诵艘嗽苏俗速僳溯诉酸算虽随髓岁遂祟损蓑梭缩索所",
        "他她獭蹋胎苔台酞态坍贪滩檀痰谭坦袒探炭塘堂棠唐倘淌烫涛绦桃逃陶套藤疼梯踢提题啼替惕剃天填甜恬腆条眺贴帖听汀停亭挺通酮同彤桶筒统偷头凸突徒涂土吐湍推腿褪吞臀托脱陀驼妥唾哇洼瓦袜外弯玩丸完挽皖惋婉腕王枉往",
        "望妄巍微韦桅唯为维萎伟伪纬蔚畏喂位谓慰卫温文纹稳问翁挝蜗窝斡握巫钨污屋无梧吴武捂舞侮戊雾物务误熙西矽嘻锡牺息悉夕熄溪犀袭席媳铣系戏瞎匣辖暇侠下夏掀先鲜咸贤舷涎嫌险献腺羡宪限相镶箱湘翔详想享巷像象硝削嚣",
        "消宵晓孝肖笑楔歇鞋协携斜谐械蟹泄谢屑芯欣新心衅腥惺兴型邢醒杏姓凶匈汹熊修朽锈袖墟需虚须许酗旭畜絮绪续喧悬玄癣绚薛穴血勋循询驯殉训逊压押鸭丫牙崖涯哑讶焉阉淹严蜒延颜炎沿掩衍艳燕砚唁焰宴验央秧扬疡洋氧仰养",
        "漾腰瑶尧窑姚舀药耀噎爷冶页业曳腋液壹揖依衣夷移仪疑宜彝蚁已矣艺抑邑亿臆肄亦意忆义溢议译翼绎荫殷音姻银寅尹隐英婴应缨萤荧迎盈颖映拥佣痈雍蛹泳永勇幽优忧由铀油酉友佑釉又迂于榆愚余逾鱼渝隅娱与禹语玉域郁遇峪",
        "愈狱誉寓预豫鸳冤垣原辕员猿源远愿院约跃岳月悦耘郧陨运酝韵匝砸栽灾载在攒赞脏葬糟藻早蚤噪皂燥责则贼增曾扎渣轧闸眨榨乍诈斋窄寨毡詹沾斩崭蘸占站绽樟彰张涨丈账胀障招找赵罩肇遮哲辙者蔗浙斟甄臻针枕疹震镇蒸睁狰",
        "怔拯政帧郑芝支蜘肢汁织职植执侄指趾旨志挚至置峙智稚炙滞治中忠衷种重众周州诌轴帚皱昼珠蛛朱诸逐烛拄嘱著助贮铸住祝抓拽砖撰篆桩装撞状锥赘缀准捉卓琢酌着浊咨姿滋孜仔滓自字棕宗综纵走揍足族诅组钻嘴最尊昨佐做坐",
    };
    std::vector<std::string> a;
    for (const char* row : rows)
      for (auto& c : split_utf8(row)) a.push_back(std::move(c));
    return a;
  }();
  return alphabet;
}

/// One random character of the alphabet.
inline const std::string& random_char(std::mt19937_64& rng) {
  const auto& a = cjk_alphabet();
  return a[uniform(rng, a.size())];
}

/// A random sentence of `chars` characters (CJK with an occasional "，"), ending in "。".
/// Returned as code points.
inline std::vector<std::string> random_sentence(std::mt19937_64& rng, std::size_t chars) {
  std::vector<std::string> s;
  for (std::size_t i = 0; i + 1 < chars; ++i) {
    const bool comma = i > 2 && i + 3 < chars && s.back() != "，" && chance(rng, 0.08);
    s.push_back(comma ? std::string("，") : random_char(rng));
  }
  s.push_back("。");
  return s;
}

/// A random paragraph of about `min_chars`..`max_chars` characters, as sentences of code points.
inline std::vector<std::vector<std::string>> random_paragraph(std::mt19937_64& rng,
                                                              std::size_t min_chars,
                                                              std::size_t max_chars) {
  const std::size_t target = uniform(rng, min_chars, max_chars);
  std::vector<std::vector<std::string>> sentences;
  std::size_t total = 0;
  while (total < target) {
    std::size_t len = uniform(rng, 15, 60);
    if (target - total < len + 15) len = std::max<std::size_t>(target - total, 8);
    sentences.push_back(random_sentence(rng, len));
    total += sentences.back().size();
  }
  return sentences;
}

/// Joins code points (or sentences of them) into a UTF-8 string.
inline std::string join(const std::vector<std::string>& cps) {
  std::string s;
  for (const auto& c : cps) s += c;
  return s;
}
inline std::string join(const std::vector<std::vector<std::string>>& sentences) {
  std::string s;
  for (const auto& sentence : sentences) s += join(sentence);
  return s;
}

/// True for the punctuation the generators use (never edited, never a token).
inline bool is_generated_punct(const std::string& c) { return c == "，" || c == "。"; }

/// Applies round(rate * CJK characters) random edits (substitution, insertion or deletion of one
/// CJK character, never touching punctuation, Latin letters or digits) to `cps`.
inline std::vector<std::string> random_edits(std::mt19937_64& rng, std::vector<std::string> cps,
                                             double rate) {
  // Only CJK characters (3-byte code points other than the punctuation) are edited, so English
  // words and digits in mixed text stay whole.
  auto editable = [](const std::string& c) { return c.size() == 3 && !is_generated_punct(c); };
  std::size_t letters = 0;
  for (const auto& c : cps) letters += editable(c) ? 1 : 0;
  const auto edits = static_cast<std::size_t>(rate * static_cast<double>(letters) + 0.5);
  for (std::size_t e = 0; e < edits; ++e) {
    std::vector<std::size_t> positions;
    for (std::size_t i = 0; i < cps.size(); ++i)
      if (editable(cps[i])) positions.push_back(i);
    if (positions.empty()) break;
    const std::size_t p = positions[uniform(rng, positions.size())];
    switch (uniform(rng, 3)) {
      case 0: cps[p] = random_char(rng); break;
      case 1: cps.insert(cps.begin() + static_cast<std::ptrdiff_t>(p), random_char(rng)); break;
      default: cps.erase(cps.begin() + static_cast<std::ptrdiff_t>(p)); break;
    }
  }
  return cps;
}

/// Offsets where each line of `bytes` starts ('\n'-separated); a final empty line after a
/// trailing '\n' is not included.
inline std::vector<std::size_t> line_starts(std::string_view bytes) {
  std::vector<std::size_t> starts{0};
  for (std::size_t i = 0; i < bytes.size(); ++i)
    if (bytes[i] == '\n' && i + 1 < bytes.size()) starts.push_back(i + 1);
  return starts;
}

/// True when `s` contains `needle`.
inline bool contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

/// ASCII lower case.
inline std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

/// True when `s` (lower-cased) contains any of `words`.
inline bool contains_any(const std::string& s, std::initializer_list<const char*> words) {
  const std::string l = lower(s);
  for (const char* w : words)
    if (contains(l, lower(w))) return true;
  return false;
}


// ---------------------------------------------------------------- report checks -------------

using Json = nlohmann::ordered_json;

/// Unsigned integer field of a JSON object, or `fallback` when missing or not a number.
inline std::uint64_t get_u64(const Json& j, const char* key, std::uint64_t fallback = 0) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return fallback;
  return j[key].get<std::uint64_t>();
}

/// Checks what every report must hold, from the output contract: the top-level keys, the stats
/// fields and their accounting (files == files_read + files_skipped, skipped.size() ==
/// files_skipped), and each cluster's shape (id, size, representative, member fields,
/// similarities between `threshold` and 1, the representative at 1, no paragraph twice).
inline void expect_report_shape(const Json& r, double threshold = 0.5, bool verified = true) {
  for (const char* k : {"recur_version", "options", "stats", "skipped", "clusters"})
    ASSERT_TRUE(r.contains(k)) << "missing top-level key " << k;
  EXPECT_TRUE(r["recur_version"].is_string());
  EXPECT_TRUE(r["options"].is_object());
  ASSERT_TRUE(r["stats"].is_object());
  ASSERT_TRUE(r["skipped"].is_array());
  ASSERT_TRUE(r["clusters"].is_array());
  const Json& st = r["stats"];
  for (const char* k : {"files", "files_read", "files_skipped", "documents", "paragraphs",
                        "paragraphs_too_short", "paragraphs_indexed", "bytes", "candidate_pairs",
                        "verified_pairs", "clusters", "clustered_paragraphs", "truncated_buckets"}) {
    EXPECT_TRUE(st.contains(k) && st[k].is_number_unsigned()) << "stats." << k << " missing or not a count";
  }
  ASSERT_TRUE(st.contains("seconds") && st["seconds"].is_object()) << "stats.seconds not an object";
  for (const auto& [stage, secs] : st["seconds"].items())
    EXPECT_TRUE(secs.is_number() && secs.get<double>() >= 0) << "stats.seconds." << stage;

  EXPECT_EQ(get_u64(st, "files"), get_u64(st, "files_read") + get_u64(st, "files_skipped"))
      << "every input file must be either read or skipped";
  EXPECT_EQ(r["skipped"].size(), get_u64(st, "files_skipped"));
  for (const auto& s : r["skipped"]) {
    EXPECT_TRUE(s.contains("path") && s["path"].is_string() && !s["path"].get<std::string>().empty())
        << s.dump();
    EXPECT_TRUE(s.contains("reason") && s["reason"].is_string() &&
                !s["reason"].get<std::string>().empty())
        << "a skipped input needs a reason: " << s.dump();
  }
  // Every paragraph has a kind; body paragraphs (all of them with --structure keep) are either too
  // short or indexed, and the other kinds are only counted.
  std::uint64_t by_kind = 0, structure = 0;
  if (st.contains("paragraphs_by_kind"))
    for (const auto& [kind, n] : st["paragraphs_by_kind"].items()) {
      by_kind += n.get<std::uint64_t>();
      if (kind != "body") structure += n.get<std::uint64_t>();
    }
  if (st.contains("paragraphs_by_kind")) EXPECT_EQ(by_kind, get_u64(st, "paragraphs")) << "every paragraph has a kind";
  const bool keep = r.contains("options") && r["options"].contains("structure") && r["options"]["structure"] == "keep";
  EXPECT_EQ(get_u64(st, "paragraphs"),
            get_u64(st, "paragraphs_too_short") + get_u64(st, "paragraphs_indexed") + (keep ? 0 : structure))
      << "paragraphs are too short, indexed, or (without --structure keep) structure lines";
  if (verified) {
    EXPECT_LE(get_u64(st, "verified_pairs"), get_u64(st, "candidate_pairs"));
  }
  EXPECT_EQ(get_u64(st, "clusters"), r["clusters"].size());

  std::uint64_t members = 0;
  std::set<std::pair<std::string, std::uint64_t>> seen;
  std::uint32_t expected_id = 1;
  for (const auto& c : r["clusters"]) {
    EXPECT_EQ(get_u64(c, "id"), expected_id++) << "cluster ids are 1-based, in output order";
    ASSERT_TRUE(c.contains("members") && c["members"].is_array());
    const auto& ms = c["members"];
    EXPECT_GE(ms.size(), 2u) << "only clusters of 2+ members";
    EXPECT_EQ(get_u64(c, "size", 999999), ms.size());
    const auto rep = get_u64(c, "representative", 999999);
    EXPECT_LT(rep, ms.size());
    for (std::size_t i = 0; i < ms.size(); ++i) {
      const auto& m = ms[i];
      for (const char* k : {"path", "document", "paragraph", "line", "line_end", "byte_start",
                            "byte_end", "similarity", "text"})
        ASSERT_TRUE(m.contains(k)) << "member without " << k << ": " << m.dump();
      ++members;
      EXPECT_GE(get_u64(m, "paragraph"), 1u);
      EXPECT_GE(get_u64(m, "line"), 1u);
      EXPECT_LE(get_u64(m, "line"), get_u64(m, "line_end"));
      EXPECT_LT(get_u64(m, "byte_start"), get_u64(m, "byte_end"));
      const double sim = m["similarity"].get<double>();
      if (i == rep) {
        EXPECT_DOUBLE_EQ(sim, 1.0) << "the representative's similarity is 1";
      } else {
        EXPECT_LE(sim, 1.0 + 1e-12);
        if (verified) {
          EXPECT_GE(sim, threshold - 1e-9) << "member below --threshold: " << m.dump();
        }
      }
      const auto key = std::make_pair(m["path"].get<std::string>(), get_u64(m, "paragraph"));
      EXPECT_TRUE(seen.insert(key).second)
          << "paragraph " << key.second << " of " << key.first << " is in two clusters";
    }
  }
  EXPECT_EQ(get_u64(st, "clustered_paragraphs"), members);
}

/// Checks, against the file bytes, that each member of a UTF-8 file has text == bytes
/// [byte_start, byte_end) and that line / line_end are the lines of its first and last byte.
/// Files in `other_encodings` are skipped.
inline void expect_members_match_files(const Json& r,
                                       const std::set<std::string>& other_encodings = {}) {
  std::map<std::string, std::string> cache;
  for (const auto& c : r["clusters"])
    for (const auto& m : c["members"]) {
      const std::string path = m["path"].get<std::string>();
      if (other_encodings.count(path)) continue;
      if (!cache.count(path)) cache[path] = read_file(path);
      const std::string& raw = cache[path];
      const auto b = get_u64(m, "byte_start"), e = get_u64(m, "byte_end");
      ASSERT_LE(e, raw.size()) << path;
      ASSERT_LT(b, e) << path;
      // As check_report.py does: a span that is not UTF-8 (bytes replaced by U+FFFD, another
      // encoding) has decoded text, so only its lines are compared.
      if (recur::is_valid_utf8(raw.substr(b, e - b)))
        EXPECT_EQ(m["text"].get<std::string>(), raw.substr(b, e - b)) << path << ":" << m["line"];
      const auto line = 1 + std::count(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(b), '\n');
      const auto line_end =
          1 + std::count(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(e - 1), '\n');
      EXPECT_EQ(get_u64(m, "line"), static_cast<std::uint64_t>(line)) << path << " byte " << b;
      EXPECT_EQ(get_u64(m, "line_end"), static_cast<std::uint64_t>(line_end)) << path << " byte " << e;
    }
}

/// Runs check_report.py on `report` (and `other`), expecting exit status 0.
inline void expect_check_report_passes(const std::string& report, const std::string& other = "",
                                       const fs::path& cwd = {}) {
  if (!check_report_available()) {
    // Without ../shared (the project must work without it), fall back to the suite's own checks of
    // the same properties: text and lines against the file bytes, and identical reports.
    std::cout << "note: " << (shared_dir() / "tools" / "check_report.py").string()
              << " or python3 not found; using the built-in checks\n";
    const Json r = load_json(report);
    expect_report_shape(r);
    if (cwd.empty()) expect_members_match_files(r);
    if (!other.empty()) EXPECT_EQ(without_timings(r), without_timings(load_json(other)));
    return;
  }
  const RunResult r = run_check_report(report, other, cwd);
  EXPECT_EQ(r.status, 0) << "check_report.py failed:\n" << r.out << r.err;
}

/// Minimal RFC 4180 parser: records of fields, quotes doubled inside quoted fields. `ok` (may be
/// null) tells whether the text was well-formed.
inline std::vector<std::vector<std::string>> parse_csv(const std::string& s, bool* ok) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  bool good = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') { field += '"'; ++i; }
        else quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      if (!field.empty()) good = false;  // a quote inside an unquoted field
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) good = false;
  if (any || !field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  if (ok) *ok = good;
  return rows;
}

/// Index of the cluster holding the member at `path`, `line`, or -1.
inline int cluster_of(const Json& r, const std::string& path, std::uint64_t line) {
  for (std::size_t i = 0; i < r["clusters"].size(); ++i)
    for (const auto& m : r["clusters"][i]["members"])
      if (m["path"] == path && get_u64(m, "line") == line) return static_cast<int>(i);
  return -1;
}

/// The member at `path`, `line`, or nullptr.
inline const Json* member_at(const Json& r, const std::string& path, std::uint64_t line) {
  for (const auto& c : r["clusters"])
    for (const auto& m : c["members"])
      if (m["path"] == path && get_u64(m, "line") == line) return &m;
  return nullptr;
}

/// True when the skipped list names `path`.
inline bool is_skipped(const Json& r, const std::string& path) {
  for (const auto& s : r["skipped"])
    if (s.contains("path") && s["path"] == path) return true;
  return false;
}

/// The reason given for skipping `path`, or empty.
inline std::string skip_reason(const Json& r, const std::string& path) {
  for (const auto& s : r["skipped"])
    if (s.contains("path") && s["path"] == path && s.contains("reason") && s["reason"].is_string())
      return s["reason"].get<std::string>();
  return {};
}

}  // namespace recur_test
