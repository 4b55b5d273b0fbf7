import { estimateTokens } from '@switchyard/contracts';
import { countPromptTokens } from './token-count';

// One question a user might route, in twelve languages and eight scripts.
const QUESTIONS: Record<string, string> = {
  English:
    'Could you explain why the sky looks blue during the day but turns red and orange at sunset? Please keep it short.',
  German:
    'Könntest du erklären, warum der Himmel tagsüber blau aussieht, bei Sonnenuntergang aber rot und orange wird? Bitte kurz.',
  Vietnamese:
    'Bạn có thể giải thích tại sao bầu trời có màu xanh vào ban ngày nhưng lại chuyển sang đỏ và cam lúc hoàng hôn không?',
  Russian:
    'Не могли бы вы объяснить, почему днём небо кажется голубым, а на закате становится красным и оранжевым? Пожалуйста, коротко.',
  Greek:
    'Μπορείτε να εξηγήσετε γιατί ο ουρανός φαίνεται μπλε κατά τη διάρκεια της ημέρας αλλά γίνεται κόκκινος στο ηλιοβασίλεμα;',
  Hebrew: 'תוכל להסביר למה השמיים נראים כחולים במהלך היום, אבל הופכים לאדומים וכתומים בשקיעה? בבקשה בקצרה.',
  Arabic:
    'هل يمكنك أن تشرح لماذا تبدو السماء زرقاء خلال النهار لكنها تصبح حمراء وبرتقالية عند غروب الشمس؟ باختصار من فضلك.',
  Hindi: 'क्या आप समझा सकते हैं कि दिन में आसमान नीला क्यों दिखता है लेकिन सूर्यास्त के समय लाल और नारंगी क्यों हो जाता है? कृपया संक्षेप में।',
  Thai: 'ช่วยอธิบายหน่อยได้ไหมว่าทำไมท้องฟ้าจึงดูเป็นสีฟ้าในตอนกลางวัน แต่กลายเป็นสีแดงและสีส้มตอนพระอาทิตย์ตก? ขอสั้นๆ',
  Korean:
    '낮에는 하늘이 왜 파랗게 보이는데 해질녘에는 빨갛고 주황색으로 변하는지 설명해 주실 수 있나요? 짧게 부탁드립니다.',
  Japanese:
    '昼間は空が青く見えるのに、夕焼けのときには赤やオレンジ色に変わるのはなぜか、説明してもらえますか？短くお願いします。',
  Chinese: '你能解释一下为什么白天的天空看起来是蓝色的，而日落时却变成红色和橙色吗？请简短回答。',
};

describe('the token estimate against o200k_base', () => {
  const exact = (text: string) => countPromptTokens({ messages: [{ role: 'user', content: text }] }) - 3 - 3;

  it.each(Object.entries(QUESTIONS))('is within a third of the count in %s', (_language, text) => {
    const ratio = estimateTokens(text) / exact(text);
    expect(ratio).toBeGreaterThan(0.67);
    expect(ratio).toBeLessThan(1.5);
  });
});
