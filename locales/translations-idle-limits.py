# The kiosk's idle limits on the back-office panel and their messages, machine-assisted: a native
# speaker must review them.
#   python3 locales/extract.py locales/translations-idle-limits.py
T = {
    "Idle limits": {
        "fr": "Délais d'inactivité", "es": "Límites de inactividad", "de": "Zeitlimits bei Inaktivität",
        "pl": "Limity bezczynności", "ro": "Limite de inactivitate", "pt": "Limites de inatividade",
        "ar": "حدود الخمول",
    },
    "A handover left untouched is wiped after (seconds)": {
        "fr": "Une remise au patient laissée sans contact est effacée après (secondes)",
        "es": "Una entrega sin tocar se borra tras (segundos)",
        "de": "Eine unberührte Übergabe wird gelöscht nach (Sekunden)",
        "pl": "Nieużywane przekazanie jest czyszczone po (sekundy)",
        "ro": "O predare neatinsă este ștearsă după (secunde)",
        "pt": "Uma entrega sem toque é apagada após (segundos)",
        "ar": "يُمسح التسليم المتروك دون لمس بعد (ثوانٍ)",
    },
    "Use this wipe time": {
        "fr": "Utiliser ce délai d'effacement", "es": "Usar este tiempo de borrado",
        "de": "Diese Löschzeit verwenden", "pl": "Użyj tego czasu czyszczenia",
        "ro": "Folosește acest timp de ștergere", "pt": "Usar este tempo de apagamento",
        "ar": "استخدم مدة المسح هذه",
    },
    "Staff home locks without a touch after (seconds)": {
        "fr": "L'accueil du personnel se verrouille sans contact après (secondes)",
        "es": "El inicio del personal se bloquea sin tocar tras (segundos)",
        "de": "Die Personalübersicht sperrt sich ohne Berührung nach (Sekunden)",
        "pl": "Ekran personelu blokuje się bez dotyku po (sekundy)",
        "ro": "Ecranul personalului se blochează fără atingere după (secunde)",
        "pt": "O início da equipa bloqueia sem toque após (segundos)",
        "ar": "تُقفل الشاشة الرئيسية للموظفين دون لمس بعد (ثوانٍ)",
    },
    "Use this lock time": {
        "fr": "Utiliser ce délai de verrouillage", "es": "Usar este tiempo de bloqueo",
        "de": "Diese Sperrzeit verwenden", "pl": "Użyj tego czasu blokady",
        "ro": "Folosește acest timp de blocare", "pt": "Usar este tempo de bloqueio",
        "ar": "استخدم مدة القفل هذه",
    },
    "Please give a whole number of seconds, {}.": {
        "fr": "Veuillez indiquer un nombre entier de secondes, {}.",
        "es": "Indique un número entero de segundos, {}.",
        "de": "Bitte geben Sie eine ganze Zahl von Sekunden an, {}.",
        "pl": "Podaj całkowitą liczbę sekund, {}.",
        "ro": "Introduceți un număr întreg de secunde, {}.",
        "pt": "Indique um número inteiro de segundos, {}.",
        "ar": "يرجى إدخال عدد صحيح من الثواني، {}.",
    },
    "Saved: a handover left untouched for {} seconds is wiped and the tablet asks to be handed back.": {
        "fr": "Enregistré : une remise laissée sans contact pendant {} secondes est effacée et la tablette demande à être rendue.",
        "es": "Guardado: una entrega sin tocar durante {} segundos se borra y la tableta pide que la devuelvan.",
        "de": "Gespeichert: Eine Übergabe, die {} Sekunden unberührt bleibt, wird gelöscht und das Tablet bittet um Rückgabe.",
        "pl": "Zapisano: przekazanie nieużywane przez {} sekund jest czyszczone, a tablet prosi o zwrot.",
        "ro": "Salvat: o predare neatinsă timp de {} secunde este ștearsă, iar tableta cere să fie returnată.",
        "pt": "Guardado: uma entrega sem toque durante {} segundos é apagada e o tablet pede para ser devolvido.",
        "ar": "حُفظ: يُمسح التسليم المتروك دون لمس لمدة {} ثانية ويطلب الجهاز اللوحي إعادته.",
    },
    "Saved: staff home locks after {} seconds without a touch.": {
        "fr": "Enregistré : l'accueil du personnel se verrouille après {} secondes sans contact.",
        "es": "Guardado: el inicio del personal se bloquea tras {} segundos sin tocar.",
        "de": "Gespeichert: Die Personalübersicht sperrt sich nach {} Sekunden ohne Berührung.",
        "pl": "Zapisano: ekran personelu blokuje się po {} sekundach bez dotyku.",
        "ro": "Salvat: ecranul personalului se blochează după {} secunde fără atingere.",
        "pt": "Guardado: o início da equipa bloqueia após {} segundos sem toque.",
        "ar": "حُفظ: تُقفل الشاشة الرئيسية للموظفين بعد {} ثانية دون لمس.",
    },
}
