# The pairing code withdrawn on the kiosk's back-office panel (its button and message),
# machine-assisted: a native speaker must review them.
#   python3 locales/extract.py locales/translations-cancel-pairing.py
T = {
    "Cancel pairing": {
        "fr": "Annuler l'association", "es": "Cancelar la vinculación",
        "de": "Kopplung abbrechen", "pl": "Anuluj parowanie",
        "ro": "Renunțați la asociere", "pt": "Cancelar o emparelhamento",
        "ar": "إلغاء بدء الاقتران",
    },
    "Pairing cancelled: the code that was shown no longer pairs a back office.": {
        "fr": "Association annulée : le code affiché n'associe plus aucun secrétariat.",
        "es": "Vinculación cancelada: el código que se mostró ya no vincula ninguna administración.",
        "de": "Kopplung abgebrochen: Der angezeigte Code koppelt keine Verwaltung mehr.",
        "pl": "Parowanie anulowane: pokazany kod nie sparuje już żadnego biura.",
        "ro": "Asociere anulată: codul afișat nu mai asociază niciun birou.",
        "pt": "Emparelhamento cancelado: o código mostrado já não emparelha nenhuma receção.",
        "ar": "أُلغي الاقتران: لم يعد الرمز الذي عُرض يقرن أي مكتب إداري.",
    },
    "No pairing code is open any more: its answer was read, or it was cancelled or replaced. Start pairing for a new code if you still need one.": {
        "fr": "Aucun code d'association n'est plus ouvert : sa réponse a été lue, ou il a été annulé ou remplacé. Lancez l'association pour un nouveau code si vous en avez encore besoin.",
        "es": "Ya no hay ningún código de vinculación abierto: su respuesta se leyó, o se canceló o reemplazó. Inicie la vinculación para obtener un código nuevo si aún lo necesita.",
        "de": "Es ist kein Kopplungscode mehr offen: Seine Antwort wurde gelesen, oder er wurde abgebrochen oder ersetzt. Starten Sie die Kopplung für einen neuen Code, falls Sie noch einen brauchen.",
        "pl": "Żaden kod parowania nie jest już otwarty: jego odpowiedź została odczytana albo został anulowany lub zastąpiony. Rozpocznij parowanie, aby uzyskać nowy kod, jeśli nadal go potrzebujesz.",
        "ro": "Niciun cod de asociere nu mai este deschis: răspunsul lui a fost citit, sau a fost anulat ori înlocuit. Începeți asocierea pentru un cod nou dacă mai aveți nevoie de unul.",
        "pt": "Já não há nenhum código de emparelhamento aberto: a sua resposta foi lida, ou foi cancelado ou substituído. Inicie o emparelhamento para um novo código se ainda precisar de um.",
        "ar": "لم يعد أي رمز اقتران مفتوحًا: قُرئ رده، أو أُلغي أو استُبدل. ابدأ الاقتران للحصول على رمز جديد إن كنت لا تزال بحاجة إليه.",
    },
    "Too late to cancel: the back office's answer to this code was read. Compare the codes, or tap Different: cancel.": {
        "fr": "Trop tard pour annuler : la réponse du secrétariat à ce code a été lue. Comparez les codes, ou touchez Différent : annuler.",
        "es": "Demasiado tarde para cancelar: ya se leyó la respuesta de la administración a este código. Compare los códigos, o toque Distinto: cancelar.",
        "de": "Zu spät zum Abbrechen: Die Antwort der Verwaltung auf diesen Code wurde gelesen. Vergleichen Sie die Codes, oder tippen Sie auf Anders: abbrechen.",
        "pl": "Za późno na anulowanie: odpowiedź biura na ten kod została odczytana. Porównaj kody albo dotknij Inny: anuluj.",
        "ro": "Prea târziu pentru anulare: răspunsul biroului la acest cod a fost citit. Comparați codurile sau atingeți Diferit: anulare.",
        "pt": "Demasiado tarde para cancelar: a resposta da receção a este código foi lida. Compare os códigos, ou toque em Diferente: cancelar.",
        "ar": "فات أوان الإلغاء: قُرئ رد المكتب الإداري على هذا الرمز. قارن الرمزين، أو اضغط مختلف: إلغاء.",
    },
}
