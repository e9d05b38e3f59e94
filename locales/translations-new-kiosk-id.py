# A kiosk paired again under a new id (the back-office panel and its message), machine-assisted:
# a native speaker must review them.
#   python3 locales/extract.py locales/translations-new-kiosk-id.py
T = {
    "The back office lists this tablet as kiosk {}.": {
        "fr": "Le secrétariat connaît cette tablette comme le kiosque {}.",
        "es": "La administración registra esta tableta como el quiosco {}.",
        "de": "Die Verwaltung führt dieses Tablet als Kiosk {}.",
        "pl": "Biuro widzi ten tablet jako kiosk {}.",
        "ro": "Biroul înregistrează această tabletă drept chioșcul {}.",
        "pt": "A receção regista este tablet como o quiosque {}.",
        "ar": "يُدرج المكتب الإداري هذا الجهاز اللوحي بوصفه الكشك {}.",
    },
    "Pair as a new kiosk": {
        "fr": "Associer comme nouveau kiosque", "es": "Vincular como quiosco nuevo",
        "de": "Als neuen Kiosk koppeln", "pl": "Sparuj jako nowy kiosk",
        "ro": "Asociază ca un chioșc nou", "pt": "Associar como novo quiosque",
        "ar": "اقتران ككشك جديد",
    },
    "Give this tablet a new kiosk id? Do this only when the back office no longer takes its forms (it revoked this kiosk, or the tablet was restored from a backup). The old id's keys are deleted; the back office pairs the tablet as a new kiosk and takes each form it has not received once.": {
        "fr": "Donner à cette tablette un nouvel identifiant de kiosque ? Ne le faites que si le secrétariat n'accepte plus ses formulaires (il a révoqué ce kiosque, ou la tablette a été restaurée depuis une sauvegarde). Les clés de l'ancien identifiant sont supprimées ; le secrétariat associe la tablette comme un nouveau kiosque et reçoit une seule fois chaque formulaire qu'il n'a pas encore reçu.",
        "es": "¿Dar a esta tableta un nuevo identificador de quiosco? Hágalo solo cuando la administración ya no acepte sus formularios (revocó este quiosco o la tableta se restauró desde una copia de seguridad). Se borran las claves del identificador anterior; la administración vincula la tableta como un quiosco nuevo y recibe una sola vez cada formulario que aún no tenga.",
        "de": "Diesem Tablet eine neue Kiosk-Kennung geben? Nur dann, wenn die Verwaltung seine Formulare nicht mehr annimmt (sie hat diesen Kiosk widerrufen, oder das Tablet wurde aus einer Sicherung wiederhergestellt). Die Schlüssel der alten Kennung werden gelöscht; die Verwaltung koppelt das Tablet als neuen Kiosk und übernimmt jedes noch nicht erhaltene Formular genau einmal.",
        "pl": "Nadać temu tabletowi nowy identyfikator kiosku? Tylko wtedy, gdy biuro nie przyjmuje już jego formularzy (odwołało ten kiosk albo tablet odtworzono z kopii zapasowej). Klucze starego identyfikatora zostaną usunięte; biuro sparuje tablet jako nowy kiosk i przyjmie raz każdy formularz, którego jeszcze nie ma.",
        "ro": "Dați acestei tablete un nou identificator de chioșc? Doar când biroul nu-i mai primește formularele (a revocat acest chioșc sau tableta a fost restaurată dintr-o copie de siguranță). Cheile vechiului identificator sunt șterse; biroul asociază tableta ca un chioșc nou și primește o singură dată fiecare formular pe care nu l-a primit.",
        "pt": "Dar a este tablet um novo identificador de quiosque? Só quando a receção já não aceitar os seus formulários (revogou este quiosque, ou o tablet foi restaurado a partir de uma cópia de segurança). As chaves do identificador antigo são apagadas; a receção associa o tablet como um novo quiosque e recebe uma única vez cada formulário que ainda não tenha.",
        "ar": "هل تريد منح هذا الجهاز اللوحي معرّف كشك جديدًا؟ افعل ذلك فقط عندما يتوقف المكتب الإداري عن قبول نماذجه (ألغى هذا الكشك، أو استُعيد الجهاز من نسخة احتياطية). تُحذف مفاتيح المعرّف القديم؛ ويقرن المكتب الإداري الجهاز ككشك جديد ويستلم كل نموذج لم يستلمه مرة واحدة.",
    },
    "New kiosk id": {
        "fr": "Nouvel identifiant", "es": "Nuevo identificador", "de": "Neue Kennung",
        "pl": "Nowy identyfikator", "ro": "Identificator nou", "pt": "Novo identificador",
        "ar": "معرّف جديد",
    },
    "Keep this id": {
        "fr": "Garder cet identifiant", "es": "Mantener este identificador",
        "de": "Diese Kennung behalten", "pl": "Zachowaj ten identyfikator",
        "ro": "Păstrează acest identificator", "pt": "Manter este identificador",
        "ar": "الإبقاء على هذا المعرّف",
    },
    "This tablet is now kiosk {}. Start pairing: the back office pairs it as a new kiosk, and the forms it has not received are sent again.": {
        "fr": "Cette tablette est maintenant le kiosque {}. Lancez l'association : le secrétariat l'associe comme un nouveau kiosque, et les formulaires qu'il n'a pas reçus sont envoyés à nouveau.",
        "es": "Esta tableta es ahora el quiosco {}. Inicie la vinculación: la administración la vincula como quiosco nuevo y los formularios que no ha recibido se envían de nuevo.",
        "de": "Dieses Tablet ist jetzt Kiosk {}. Starten Sie die Kopplung: Die Verwaltung koppelt es als neuen Kiosk, und die Formulare, die sie nicht erhalten hat, werden erneut gesendet.",
        "pl": "Ten tablet jest teraz kioskiem {}. Rozpocznij parowanie: biuro sparuje go jako nowy kiosk, a formularze, których nie otrzymało, zostaną wysłane ponownie.",
        "ro": "Această tabletă este acum chioșcul {}. Începeți asocierea: biroul o asociază ca un chioșc nou, iar formularele pe care nu le-a primit sunt trimise din nou.",
        "pt": "Este tablet é agora o quiosque {}. Inicie a associação: a receção associa-o como um novo quiosque, e os formulários que não recebeu são enviados de novo.",
        "ar": "هذا الجهاز اللوحي هو الآن الكشك {}. ابدأ الإقران: يقرنه المكتب الإداري ككشك جديد، وتُرسل مجددًا النماذج التي لم يستلمها.",
    },
    "kiosk {} sent a different bundle under this number before, as a tablet restored from a backup does: nothing was imported. On the tablet's back-office panel, Unpair, then Pair as a new kiosk, and pair it here again.": {
        "fr": "le kiosque {} a déjà envoyé un autre lot sous ce numéro, comme le fait une tablette restaurée depuis une sauvegarde : rien n'a été importé. Sur le panneau secrétariat de la tablette, Dissocier, puis Associer comme nouveau kiosque, et associez-la ici à nouveau.",
        "es": "el quiosco {} ya envió otro paquete con este número, como hace una tableta restaurada desde una copia de seguridad: no se importó nada. En el panel de administración de la tableta, Desvincular, luego Vincular como quiosco nuevo, y vincúlela aquí de nuevo.",
        "de": "Kiosk {} hat unter dieser Nummer schon ein anderes Paket gesendet, wie es ein aus einer Sicherung wiederhergestelltes Tablet tut: Es wurde nichts importiert. Im Verwaltungsbereich des Tablets Entkoppeln, dann Als neuen Kiosk koppeln, und es hier erneut koppeln.",
        "pl": "kiosk {} wysłał już inną paczkę pod tym numerem, jak robi to tablet odtworzony z kopii zapasowej: nic nie zaimportowano. W panelu biura na tablecie wybierz Rozłącz parowanie, potem Sparuj jako nowy kiosk, i sparuj go tu ponownie.",
        "ro": "chioșcul {} a trimis deja un alt pachet cu acest număr, cum face o tabletă restaurată dintr-o copie de siguranță: nu s-a importat nimic. Pe panoul de birou al tabletei, Anulați asocierea, apoi Asociază ca un chioșc nou, și asociați-o aici din nou.",
        "pt": "o quiosque {} já enviou outro pacote com este número, como faz um tablet restaurado a partir de uma cópia de segurança: nada foi importado. No painel da receção do tablet, Desemparelhar, depois Associar como novo quiosque, e associe-o aqui de novo.",
        "ar": "أرسل الكشك {} من قبل حزمة أخرى بهذا الرقم، كما يفعل جهاز لوحي استُعيد من نسخة احتياطية: لم يُستورد شيء. في لوحة المكتب الإداري على الجهاز، إلغاء الاقتران، ثم اقتران ككشك جديد، وأقرنه هنا من جديد.",
    },
}
