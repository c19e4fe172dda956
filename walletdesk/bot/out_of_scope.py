"""Questions no wallet knowledge base answers, in every supported language.

They train an extra "out of scope" class, so the bot learns what a question it should hand
off looks like, not only what its articles look like. They are generic on purpose: nothing
here is taken from an evaluation set.
"""

OUT_OF_SCOPE = (
    "what's the weather like tomorrow", "tell me a joke", "who won the football match last night",
    "can you recommend a good restaurant nearby", "how do I cook rice", "what time is it in London",
    "write me a poem about the sea", "what is the capital of Australia", "play some music",
    "how tall is Mount Everest", "I want to book a flight to Paris", "what movies are on tonight",
    "how do I fix my car engine", "translate hello into French", "what is the meaning of life",
    "my cat is sick what should I do", "can you help with my homework", "recommend a good book",
    "how many calories in an apple", "set an alarm for 7am", "are you a robot or a human being",
    "what's your favourite colour", "do you like pizza", "how old are you", "good morning",
    "which phone should I buy", "how do I learn to swim", "is it going to rain this weekend",
    "what is the best laptop for gaming", "how do I grow tomatoes", "order me a taxi",
    "明天天气怎么样", "给我讲个笑话", "昨晚的球赛谁赢了", "附近有什么好吃的餐厅", "米饭怎么煮",
    "帮我写一首诗", "澳大利亚的首都是哪里", "放一首歌", "我想订一张去北京的机票", "今晚有什么电影",
    "我的车发动机坏了怎么修", "你是机器人吗", "你喜欢吃什么", "你几岁了", "早上好", "推荐一本好书",
    "猫生病了怎么办", "帮我做作业", "哪款手机值得买", "怎么学游泳", "周末会下雨吗", "帮我叫个出租车",
    "今天股市行情怎么样", "怎么减肥", "推荐一部电视剧",
    "明天天氣怎麼樣", "給我講個笑話", "附近有什麼好吃的餐廳", "你是機器人嗎", "推薦一本好書",
    "¿qué tiempo hará mañana?", "cuéntame un chiste", "¿quién ganó el partido de ayer?",
    "recomiéndame un restaurante", "¿cómo se cocina el arroz?", "escríbeme un poema",
    "¿cuál es la capital de Australia?", "quiero reservar un vuelo a Madrid", "¿eres un robot?",
    "buenos días", "¿qué película me recomiendas?", "¿cómo aprendo a nadar?", "pídeme un taxi",
)
