"""What customers write that is no question: greetings, thanks, acknowledgements, farewells.

One table per language (a language tag of the desk's catalogs), one tuple per kind; "*" holds
what is the same in every language (emoji). Adding a language is adding its table here and
its translations of the replies (walletdesk.small_talk); the code reads no language of
its own. Entries are whole phrases as a customer types them, in lower case; capitals,
accents, punctuation, emoji around them and repeated letters ("hiii", "thanksss", "谢谢谢")
are folded before they are compared, and a message may chain several ("ok thanks", "hi
hello", "谢谢，再见"). ``filler`` words go with any phrase but are no small talk alone ("hi
there", "thanks guys", "你好呀").

Kept conservative: a word that answers the bot or asks for someone ("yes" after "Do you mean
…?", "客服", "agent": a person) is not here, so such a message still goes to the matcher. An
opening with no question yet (``opener``: "I have a question", "请问", "necesito ayuda") is
welcomed as a greeting, which asks for the question; unlike a greeting it is not taken off a
question it starts ("I need help with my wallet" is matched whole).
"""

PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "greeting": (
            "hi", "hello", "hey", "hiya", "howdy", "yo", "helo", "hallo", "hellow",
            "good morning", "good afternoon", "good evening", "good day", "morning",
            "afternoon", "evening", "greetings", "anyone there", "anybody there",
            "is anyone there", "is anybody there", "is someone there", "anyone here",
            "is anyone here", "are you there", "you there", "hello anyone", "hi all",
            "how are you", "how are you doing", "how r u", "how is it going",
        ),
        # an opening with no question yet: welcomed as a greeting, which asks for it
        "opener": (
            "i have a question", "quick question", "can you help me", "can you help",
            "could you help me", "i need help", "need help", "help me", "help",
        ),
        "thanks": (
            "thanks", "thank you", "thank u", "thanx", "thx", "ty", "tysm", "tks", "tq",
            "thanks a lot", "thanks so much", "thank you so much", "thank you very much",
            "thanks very much", "many thanks", "much appreciated", "appreciate it",
            "i appreciate it", "cheers", "thanks again", "thank you again",
        ),
        "ack": (
            "ok", "okay", "okey", "oki", "okie", "k", "alright", "all right", "got it",
            "great", "perfect", "cool", "nice", "sure", "fine", "understood", "i see",
            "noted", "awesome", "good", "sounds good", "will do", "i will try that",
            "i'll try", "ill try", "let me try", "that helps", "that helped", "it worked",
            "solved", "done",
        ),
        "farewell": (
            "bye", "goodbye", "good bye", "bye bye", "see you", "see ya", "cya", "later",
            "have a nice day", "have a good day", "good night", "take care",
        ),
        "filler": ("there", "guys", "team", "everyone", "all", "again", "so much", "please",
                   "very much", "a lot", "then", "now", "oh", "ah", "um", "well"),
    },
    "zh-Hans": {
        "greeting": (
            "你好", "您好", "在吗", "在不在", "有人吗", "有人在吗", "哈喽", "哈啰", "嗨", "喂",
            "早", "早上好", "上午好", "中午好", "下午好", "晚上好", "早安", "大家好", "你们好",
            "你好吗", "hello", "hi",
        ),
        "opener": ("请问", "问一下", "我想问一下", "想问一下", "我有个问题", "咨询一下",
                   "想咨询一下", "我要咨询", "帮帮我", "求助"),
        "thanks": ("谢谢", "多谢", "感谢", "谢了", "谢啦", "非常感谢", "十分感谢", "万分感谢",
                   "谢谢你", "谢谢您", "感谢你", "感谢您", "辛苦了", "麻烦了", "3q"),
        "ack": ("好", "好的", "好吧", "行", "可以", "明白", "明白了", "知道了", "收到", "了解",
                "懂了", "嗯", "嗯嗯", "哦", "噢", "好嘞", "没问题", "ok", "好了", "解决了"),
        "farewell": ("再见", "拜拜", "回头见", "晚安"),
        "filler": ("啊", "呀", "哦", "喔", "啦", "嘛", "呢", "吖", "哈", "了", "那", "那就"),
    },
    "zh-Hant": {
        # written Cantonese beside Taiwan and Hong Kong usage
        "greeting": (
            "你好", "您好", "在嗎", "在不在", "在唔在", "有人嗎", "有人在嗎", "有冇人",
            "有冇人喺度", "哈囉", "哈佬", "嗨", "喂", "早", "早晨", "早安", "午安", "早上好",
            "下午好", "晚上好", "大家好", "你哋好", "你好嗎", "hello", "hi",
        ),
        "opener": ("請問", "問一下", "想問下", "想問一下", "我有個問題", "我想查詢", "想查詢",
                   "諮詢一下", "幫幫我", "求助"),
        "thanks": ("謝謝", "多謝", "感謝", "唔該", "唔該晒", "多謝晒", "謝了", "謝啦", "非常感謝",
                   "謝謝你", "謝謝您", "辛苦了", "麻煩了", "勞煩晒", "3q"),
        "ack": ("好", "好的", "好吧", "行", "可以", "明白", "明白了", "明白咗", "知道了", "知道咗",
                "收到", "了解", "懂了", "嗯", "哦", "冇問題", "沒問題", "得", "好啦", "ok",
                "搞掂", "好了", "解決了"),
        "farewell": ("再見", "拜拜", "回頭見", "晚安"),
        "filler": ("啊", "呀", "哦", "喔", "啦", "嘛", "呢", "吖", "哈", "了", "喇", "嘞", "咁",
                   "咁就"),
    },
    "es": {
        "greeting": (
            "hola", "buenas", "buenos dias", "buen dia", "buenas tardes", "buenas noches",
            "saludos", "que tal", "hay alguien", "hay alguien ahi", "alguien ahi",
            "estas ahi", "esta ahi", "hola a todos", "como estas", "como esta",
        ),
        "opener": ("tengo una pregunta", "una pregunta", "tengo una consulta", "una consulta",
                   "necesito ayuda", "me ayudas", "me puedes ayudar", "me pueden ayudar",
                   "ayuda"),
        "thanks": ("gracias", "muchas gracias", "mil gracias", "muchisimas gracias",
                   "gracias de nuevo", "muy amable", "te lo agradezco", "se lo agradezco",
                   "se agradece", "grax", "thx"),
        "ack": ("ok", "okey", "oki", "vale", "perfecto", "genial", "entendido", "de acuerdo",
                "listo", "bien", "muy bien", "claro", "va", "dale", "bueno", "entiendo",
                "ya esta", "funciono", "lo probare", "lo intento"),
        "farewell": ("adios", "hasta luego", "chao", "chau", "nos vemos", "hasta pronto",
                     "bye", "que tengas buen dia"),
        "filler": ("a todos", "equipo", "amigo", "amigos", "entonces", "pues", "ah", "oh",
                   "eh", "por favor"),
    },
    "*": {
        "thanks": ("🙏",),
        "ack": ("👍", "👌", "🆗", "✅", "🙂", "😊", "💯", "🤝", "❤"),
        "greeting": ("👋",),
    },
}
